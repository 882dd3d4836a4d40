export { runService, type ServiceOptions } from './run-service';
export { infrastructureProviders, DATABASE, NATS_CONNECTION, type InfrastructureOptions } from './infrastructure';
export { sharedSettings, type SharedSettings } from './shared-settings';
export { postgresUnavailable } from './postgres-unavailable';
