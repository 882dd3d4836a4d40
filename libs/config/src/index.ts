export { envString, envInt, envBool, envDurationMs, envHttpUrl, envStreamName, envSubjectPrefix, type Env } from './env';
