import { createHash } from 'node:crypto';
import { TakesError } from '@takes/contracts';
import { uuidv7 } from '@takes/ids';
import { normalizeFieldValue } from '@takes/metadata';

/** What a write's headers say (ARCHITECTURE.md, write headers). */
export interface WriteHeaders {
  commandId: string;
  /** True when the gateway made the command id (it is returned in Idempotency-Key). */
  madeCommandId: boolean;
  baseVersion?: number;
  parent?: string;
  branchTs?: string;
  submitTs?: string;
  device?: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function one(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `"3"`, `3` or `W/"3"` → 3. */
export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!match) throw new TakesError('INVALID_PAYLOAD', 'If-Match must be a version such as "3"', [{ field: 'If-Match', rule: 'format', message: 'expected "<version>"' }]);
  return Number(match[1]);
}

function timestamp(value: string | undefined, header: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  // A real calendar moment: Date.parse reads 2026-02-31 as March 3rd, normalizeFieldValue does not.
  if (!DATE_TIME.test(value) || !normalizeFieldValue({ type: 'timestamp' }, value).ok) {
    throw new TakesError('INVALID_PAYLOAD', `${header} must be an ISO 8601 date-time with a zone`, [{ field: header, rule: 'format', message: 'expected e.g. 2026-11-20T08:00:00Z' }]);
  }
  return new Date(value).toISOString();
}

/** A device id is kept only as a hash, so no personal data (a phone's name) lands in events. */
export function deviceHash(app: string, device: string | undefined): string | undefined {
  if (!device) return undefined;
  return `d:${createHash('sha256').update(`${app}\u001f${device}`).digest('hex').slice(0, 16)}`;
}

export function parseWriteHeaders(headers: Record<string, string | string[] | undefined>, app: string): WriteHeaders {
  const key = one(headers, 'idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > 200)) {
    throw new TakesError('INVALID_PAYLOAD', 'Idempotency-Key must be 1 to 200 characters');
  }
  const parent = one(headers, 'x-takes-parent');
  return {
    commandId: key ?? uuidv7(),
    madeCommandId: key === undefined,
    baseVersion: parseIfMatch(one(headers, 'if-match')),
    parent: parent || undefined,
    branchTs: timestamp(one(headers, 'x-takes-branch-ts'), 'X-Takes-Branch-Ts'),
    submitTs: timestamp(one(headers, 'x-takes-submit-ts'), 'X-Takes-Submit-Ts'),
    device: deviceHash(app, one(headers, 'x-takes-device')),
  };
}
