export { interpolate, escapeHtml, renderEmail, type TemplateVariables, type EmailTemplateBody, type RenderedEmail } from './interpolate';
export { parseEnvAllowList, isEnvAllowed, isEnvRef, envRefsIn, resolveEnvRefs, EnvRefError, type EnvAllowList } from './env-refs';
export { retryDelayMs, afterFailedAttempt, DEFAULT_RETRY_POLICY, type RetryPolicy, type AfterFailure } from './retry-schedule';
export { parseProviderInput, smtpTransportOptions, fromAddress, type SmtpConfig, type EmailProviderInput } from './provider-config';
export { BUILT_IN_TEMPLATES, isBuiltInTemplate, parseTemplateInput, type BuiltInTemplateKey, type EmailTemplateInput } from './templates';
