export { envString, envInt, envBool, envDurationMs, envStreamName, envSubjectPrefix, type Env } from './env';
