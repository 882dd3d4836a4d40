export { envString, envInt, envBool, envDurationMs, type Env } from './env';
