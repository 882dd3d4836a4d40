export { connectNats, DEFAULT_NATS_URL, type NatsOptions } from './connection';
export { ensureEventsStream, type EventsStreamOptions } from './events-stream';
export { JetStreamBatchPublisher, type BatchAck, type BatchMessage } from './jetstream-batch-publish';
export { newTraceparent, traceIdOf } from './trace';
export { requestJson, type RequestOptions } from './rpc-client';
export { NatsRpcServer, NatsRpcContext, type NatsRpcOptions } from './rpc-server';
export { RpcController } from './rpc-controller';
export { NatsEventStore, type NatsClientOptions } from './nats-event-store';
export { NatsConflicts } from './nats-conflicts';
export { NatsWebhooks } from './nats-webhooks';
export { NatsWorkflows } from './nats-workflows';
export { NatsProjectorRebuilds } from './nats-projector-rebuilds';
export { NatsWatermarks } from './nats-watermarks';
export { serveWatermark, type WatermarkResponderOptions } from './watermark-responder';
export type { AnswerOptions } from './rpc-answer';
export {
  consumeDurable,
  ParkedHeader,
  type ConsumeDurableOptions,
  type DurableConsumer,
  type DurableErrorInfo,
  type DurableMessage,
} from './durable-consumer';
export { type BatchConsumerOptions } from './batch-consumer';
export { EventFollower, type EventFollowerOptions } from './event-follower';
