import { applyMetaChange, emptyMetadata } from './app-metadata';
import type { MetaItem, MetaState } from './meta-kinds';

/** An app's `_meta` records with the store position of each one's last change. */
export type PositionedMetaItem = MetaItem & { readonly position: number };

/** An app's metadata from its `_meta` records, folded in the order they last changed (position order). */
export function metaStateOf(items: readonly PositionedMetaItem[]): MetaState {
  const sorted = [...items].sort((a, b) => a.position - b.position);
  return {
    items: new Map(sorted.map((item) => [item.key, { key: item.key, definition: item.definition, removed: item.removed }])),
    metadata: sorted.reduce(
      (metadata, item) => applyMetaChange(metadata, { key: item.key, definition: item.removed ? null : item.definition, position: item.position }),
      emptyMetadata(),
    ),
  };
}

/** The app's metadata after one more change (decided, not yet stored: it has no position of its own yet). */
export function withMetaItem(state: MetaState, item: MetaItem): MetaState {
  return {
    items: new Map(state.items).set(item.key, item),
    metadata: applyMetaChange(state.metadata, { key: item.key, definition: item.removed ? null : item.definition, position: state.metadata.position }),
  };
}
