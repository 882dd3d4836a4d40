export { createLogger, PinoNestLogger } from './logger';
export {
  HealthController,
  createMetricsRegistry,
  READINESS_CHECKS,
  METRICS_REGISTRY,
  type ReadinessCheck,
} from './health';
