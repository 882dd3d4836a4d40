import { TakesError, assertMessage, syncEditSchema, type SyncEdit } from '@takes/contracts';

/**
 * Checks the batch's shape (400 if it is not `{edits: [...]}` within the limit) and each
 * edit's shape on its own, so one malformed edit becomes one rejected result.
 */
export function parseSyncBatch(
  body: unknown,
  maxEdits: number,
): ({ ok: true; value: SyncEdit } | { ok: false; command_id: string | null; error: TakesError })[] {
  const edits = (body as { edits?: unknown } | null)?.edits;
  if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(edits)) {
    throw new TakesError('INVALID_PAYLOAD', 'body must be {"edits": [...]}');
  }
  if (edits.length > maxEdits) {
    throw new TakesError('INVALID_PAYLOAD', `a batch holds at most ${maxEdits} edits; send the rest in another`, [
      { field: 'edits', rule: 'max_items', message: `at most ${maxEdits}` },
    ]);
  }
  return edits.map((raw) => {
    const commandId = typeof (raw as { command_id?: unknown })?.command_id === 'string' ? (raw as { command_id: string }).command_id : null;
    try {
      const edit = assertMessage<SyncEdit & { id?: string | number }>(syncEditSchema, raw, 'edit');
      return { ok: true as const, value: { ...edit, id: edit.id === undefined ? undefined : String(edit.id) } };
    } catch (error) {
      return { ok: false as const, command_id: commandId, error: error as TakesError };
    }
  });
}
