import { applyPatch, JsonPatchError } from 'fast-json-patch';
import { TakesError, type PatchOperation } from '@takes/contracts';
import { clone, isPlainObject, type JsonObject } from './json-document';

/**
 * A client's JSON Patch applied to a copy of `state` (the record's head for a fresh
 * PATCH, the version the client edited for a stale one): the new state, or why not. A
 * failing `test` op is CONFLICT, a bad document INVALID_PAYLOAD. `on` names the state
 * in the messages ("the record", "the edited version").
 */
export function applyClientPatch(state: JsonObject, ops: PatchOperation[], on = 'the record'): JsonObject | TakesError {
  try {
    // The operations are copied too: fast-json-patch puts their values into the document
    // by reference, and a later operation would otherwise change the caller's patch.
    const result = applyPatch(clone(state), clone(ops) as never, true, true).newDocument;
    if (!isPlainObject(result)) return new TakesError('INVALID_PAYLOAD', 'the patch must leave the record a JSON object');
    return result;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      if (error.name === 'TEST_OPERATION_FAILED') {
        const against = on === 'the record' ? '' : ` against ${on}`;
        return new TakesError('CONFLICT', `a test operation of the patch failed${against}`, [
          { field: error.operation?.path, rule: 'test', message: `${on} does not hold the tested value` },
        ]);
      }
      return new TakesError('INVALID_PAYLOAD', `invalid JSON Patch: ${error.name}`, [
        { field: (error.operation as { path?: string } | undefined)?.path, rule: error.name, message: error.message.split('\n')[0] },
      ]);
    }
    return new TakesError('INVALID_PAYLOAD', 'invalid JSON Patch document');
  }
}
