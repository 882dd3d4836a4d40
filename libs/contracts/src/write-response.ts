import type { AppendResult } from './command';

/**
 * The body of a write's response (HTTP POST, PUT, PATCH, DELETE, restore, resolve):
 * `{data: record, meta: {outcome, version, position, contested, command_id}}`, with the
 * headers ETag (the quoted version) and X-Takes-Position. Rocket clients read `data`
 * and ignore the rest.
 */
export interface WriteResponse {
  /** The record as written (visible fields); after a delete, only its key. */
  data: Record<string, unknown>;
  meta: WriteMeta;
}

export interface WriteMeta {
  /**
   * `merged`: a stale edit merged in; `shelved`: kept but not applied (see the record's
   * history); `unchanged`: the write changed nothing, no event, the current version;
   * `overwritten`: values changed since the base were written over (see `overwritten`).
   */
  outcome: AppendResult['outcome'];
  version: number;
  /** The store's global position of the write: what X-Takes-Min-Position waits for. */
  position: number;
  /** JSON Pointers of the fields two branches set differently, now up for review. */
  contested: string[];
  command_id: string;
  /** A nested write: each related record written (links are `_link_<relation>` records). */
  related?: RelatedWrite[];
  /** outcome `overwritten`: the values the write destroyed, by JSON Pointer. */
  overwritten?: Record<string, unknown>;
}

export interface RelatedWrite {
  /** Where the write came from in the body (e.g. `items[2]`). */
  path?: string;
  entity: string;
  id: string;
  version: number;
  deleted: boolean;
}
