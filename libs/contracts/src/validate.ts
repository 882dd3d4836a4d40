import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { TakesError, type ErrorDetail } from './errors';

const ajv = new Ajv({ allErrors: true, strict: false });
// date-time without pulling in ajv-formats: RFC 3339 with a zone.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

const compiled = new Map<object, ValidateFunction>();

function toDetail(error: ErrorObject): ErrorDetail {
  const field = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : undefined;
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  return {
    field: missing ?? extra ?? field,
    rule: error.keyword,
    message: extra ? `unknown property ${extra}` : `${field ?? 'message'} ${error.message ?? 'is invalid'}`,
  };
}

/**
 * Checks a message that crossed NATS against its JSON schema; throws INVALID_PAYLOAD
 * with one detail per problem, so a bad message never reaches a handler.
 */
export function assertMessage<T>(schema: object, value: unknown, what: string): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) {
    throw new TakesError('INVALID_PAYLOAD', `invalid ${what}`, (validate.errors ?? []).map(toDetail));
  }
  return value as T;
}
