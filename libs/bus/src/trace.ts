import { pooledRandomBytes, toHex } from '@takes/ids';

/** W3C trace context: `00-<trace id>-<span id>-01`. */
export function newTraceparent(traceId?: string): string {
  return `00-${traceId ?? toHex(pooledRandomBytes(16))}-${toHex(pooledRandomBytes(8))}-01`;
}

/** The trace id inside a traceparent header, or undefined when it is missing or malformed. */
export function traceIdOf(traceparent: string | undefined | null): string | undefined {
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '');
  return match?.[1];
}
