export { runService, type ServiceOptions } from './run-service';
export { InfrastructureModule, DATABASE, NATS_CONNECTION, type InfrastructureOptions } from './infrastructure';
export { sharedSettings, type SharedSettings } from './shared-settings';
export { postgresUnavailable } from './postgres-unavailable';
