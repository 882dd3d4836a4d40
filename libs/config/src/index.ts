export { envString, envInt, envBool, envDurationMs, ConfigError, type Env } from './env';
