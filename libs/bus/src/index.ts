export { connectNats, DEFAULT_NATS_URL, type NatsOptions } from './connection';
export { ensureEventsStream, isNotFound, type EventsStreamOptions } from './events-stream';
export { newTraceparent, traceIdOf } from './trace';
export { requestJson, type RequestOptions } from './rpc-client';
export { NatsRpcServer, NatsRpcContext, type NatsRpcOptions } from './rpc-server';
export {
  consumeDurable,
  ParkedHeader,
  type ConsumeDurableOptions,
  type DurableConsumer,
  type DurableErrorInfo,
  type DurableMessage,
} from './durable-consumer';
export { BatchConsumer, type BatchConsumerOptions } from './batch-consumer';
export { EventFollower, type EventFollowerOptions } from './event-follower';
