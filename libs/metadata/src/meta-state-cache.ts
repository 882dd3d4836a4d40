import type { MetaState } from './meta-kinds';
import { metaStateOf, type PositionedMetaItem } from './meta-state';

/**
 * Parsed metadata by the `_meta` records it was folded from: the same records at the
 * same positions give the same state, so a batch that reads the definitions it read
 * before reuses their parse (and their compiled rules and guards) instead of doing it
 * again. A record's position changes with every change to it, so a changed definition
 * is never served from here. The states are immutable; the least recently used go first.
 *
 * This holds while a `_meta` record's state changes only through an event of its own
 * (a new position), and positions are one database's: use one cache per database, and
 * none across a restore of it or a repair that edits stream heads in place.
 */
export class MetaStateCache {
  private readonly states = new Map<string, MetaState>();

  constructor(private readonly capacity = 256) {}

  stateOf(items: readonly PositionedMetaItem[]): MetaState {
    const signature = JSON.stringify(items.map((item) => [item.key, item.position, item.removed]).sort((a, b) => Number(a[1]) - Number(b[1]) || String(a[0]).localeCompare(String(b[0]))));
    const cached = this.states.get(signature);
    if (cached) {
      this.states.delete(signature);
      this.states.set(signature, cached);
      return cached;
    }
    const state = metaStateOf(items);
    this.states.set(signature, state);
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
    return state;
  }

  get size(): number {
    return this.states.size;
  }
}
