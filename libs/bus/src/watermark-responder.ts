import type { NatsConnection, Subscription } from 'nats';
import { assertMessage, subjects, watermarkRequestSchema, type ReadModel, type WatermarkView } from '@takes/contracts';
import { answerRequest, type AnswerOptions } from './rpc-answer';

export interface WatermarkResponderOptions extends AnswerOptions {
  /** The deployment's subject prefix (`''` in production). */
  subjectPrefix: string;
  readModel: ReadModel;
  /** The read model's watermark, as the owner knows it (its own table, or its leader's place). */
  position(): Promise<number>;
}

/**
 * Answers `<prefix>watermark.<read_model>` for the service that owns the read model.
 * Every replica subscribes from its start, standby ones included (they answer from the
 * owner's table), in one queue group, so one of them answers each request and a reader
 * never waits on a leader election. A standby's answer may trail the leader's; a reader
 * that waits for a position asks again. Stop it with `drain()` or `unsubscribe()`.
 */
export function serveWatermark(nc: NatsConnection, options: WatermarkResponderOptions): Subscription {
  return nc.subscribe(subjects(options.subjectPrefix).watermark(options.readModel), {
    queue: 'watermark',
    callback: (error, msg) => {
      if (error || !msg.reply) return;
      void answerRequest(
        msg,
        async (body): Promise<WatermarkView> => {
          assertMessage(watermarkRequestSchema, body ?? {}, 'watermark request');
          return { v: 1, read_model: options.readModel, position: await options.position() };
        },
        options,
      );
    },
  });
}
