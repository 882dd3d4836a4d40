import type { CallOptions } from './event-store.port';

/**
 * `<prefix>watermark.<read_model>` (request/reply): the last event-store position a read
 * model has applied, answered by the service that owns the read model from its own
 * table. Every replica answers, standby ones included (they share the table), so a
 * reader never waits on an election. Readers that need their writes reflected
 * (read-your-writes) wait until it reaches a position.
 */

/** The read models whose watermarks can be asked for, and the service that owns each. */
export const ReadModel = {
  /** The projector's read tables of every app. */
  records: 'records',
  /** The conflicts service's review queue. */
  review_queue: 'review_queue',
} as const;
export type ReadModel = (typeof ReadModel)[keyof typeof ReadModel];

export interface WatermarkRequest {
  v?: 1;
}

/** The reply: the position every event up to which is applied (0 before the first). */
export interface WatermarkView {
  v: 1;
  read_model: ReadModel;
  position: number;
}

export const watermarkRequestSchema = {
  $id: 'takes.watermark.v1',
  type: 'object',
  properties: { v: { const: 1 } },
  additionalProperties: false,
} as const;

/** Injection token of the `Watermarks` port. */
export const WATERMARKS = Symbol('WATERMARKS');

/** The watermarks of the read models, as a reader sees them. */
export interface Watermarks {
  /**
   * The read model's watermark. Watermarks only grow. Rejects with UNAVAILABLE when its
   * owner does not answer within `timeoutMs` (or the port's default): not started yet,
   * or down.
   */
  position(readModel: ReadModel, options?: CallOptions & { timeoutMs?: number }): Promise<number>;
}
