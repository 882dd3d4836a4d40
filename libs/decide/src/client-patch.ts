import { applyPatch, deepClone, JsonPatchError } from 'fast-json-patch';
import { TakesError, type PatchOperation } from '@takes/contracts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Top-level fields a JSON Patch document touches, by its paths and `from`s. */
export function touchedFields(ops: PatchOperation[]): string[] {
  const fields = new Set<string>();
  for (const op of ops) {
    for (const pointer of [op.path, op.from]) {
      if (typeof pointer !== 'string' || pointer === '') continue;
      const first = pointer.split('/')[1];
      if (first !== undefined) fields.add(first.replace(/~1/g, '/').replace(/~0/g, '~'));
    }
  }
  return [...fields];
}

/**
 * A client's JSON Patch applied to a copy of a record: the new state, or why not (a
 * failing `test` op is CONFLICT, a bad document INVALID_PAYLOAD).
 */
export function applyClientPatch(state: Record<string, unknown>, ops: PatchOperation[]): Record<string, unknown> | TakesError {
  try {
    const result = applyPatch(deepClone(state), ops as never, true, true).newDocument;
    if (!isPlainObject(result)) return new TakesError('INVALID_PAYLOAD', 'the patch must leave the record a JSON object');
    return result;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      if (error.name === 'TEST_OPERATION_FAILED') {
        return new TakesError('CONFLICT', 'a test operation of the patch failed', [
          { field: error.operation?.path, rule: 'test', message: 'the record does not hold the tested value' },
        ]);
      }
      return new TakesError('INVALID_PAYLOAD', `invalid JSON Patch: ${error.name}`, [
        { field: (error.operation as { path?: string } | undefined)?.path, rule: error.name, message: error.message.split('\n')[0] },
      ]);
    }
    return new TakesError('INVALID_PAYLOAD', 'invalid JSON Patch document');
  }
}
