import { TakesError } from '@takes/contracts';

/** A rotation's `grace_seconds` (undefined: the webhooks service's default); a bad one is 422. */
export function graceSeconds(body: unknown): number | undefined {
  const grace = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).grace_seconds : undefined;
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > 2_592_000)) {
    throw new TakesError('VALIDATION_FAILED', 'invalid rotation', [{ field: 'grace_seconds', rule: 'range', message: 'grace_seconds is a whole number from 0 to 2592000' }]);
  }
  return grace as number | undefined;
}
