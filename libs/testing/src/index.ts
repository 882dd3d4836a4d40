export { freePort } from './free-port';
export { startService, type ServiceProcess, type StartOptions } from './service-process';
export { createTcpProxy, type TcpProxy } from './tcp-proxy';
export { eventually } from './eventually';
export { clockPast } from './clock-past';
export { createTestDatabase, type TestDatabase } from './test-database';
export { createTestStream, type TestStream, type StreamMessageView } from './test-stream';
export { serviceEnv, startTakes, type StartTakesOptions, type TakesProcesses, type ApiOptions, type ApiResponse } from './takes-processes';
export { startFollowingService, type FollowingService } from './following-service';
