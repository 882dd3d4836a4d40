import { TakesError, assertMessage, type ErrorBody } from '@takes/contracts';

/** One offline edit in a `_sync` batch (ARCHITECTURE.md). */
export interface SyncEdit {
  command_id: string;
  parent?: string;
  entity: string;
  id?: string;
  op: 'create' | 'put' | 'patch' | 'delete' | 'restore';
  base_version?: number;
  data?: unknown;
  patch?: unknown;
  branch_ts?: string;
  submit_ts?: string;
  device?: string;
}

export interface SyncResult {
  command_id: string | null;
  outcome: 'applied' | 'merged' | 'shelved' | 'rejected';
  id?: string;
  version?: number;
  position?: number;
  contested?: string[];
  record?: Record<string, unknown> | null;
  error?: ErrorBody;
}

const editSchema = {
  type: 'object',
  required: ['command_id', 'entity', 'op'],
  properties: {
    command_id: { type: 'string', minLength: 1, maxLength: 200 },
    parent: { type: 'string', minLength: 1, maxLength: 200 },
    entity: { type: 'string', minLength: 1, maxLength: 63 },
    id: { type: ['string', 'integer'] },
    op: { enum: ['create', 'put', 'patch', 'delete', 'restore'] },
    base_version: { type: 'integer', minimum: 0 },
    data: {},
    patch: {},
    branch_ts: { type: 'string', format: 'date-time' },
    submit_ts: { type: 'string', format: 'date-time' },
    device: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
  allOf: [{ if: { properties: { op: { not: { const: 'create' } } } }, then: { required: ['id'] } }],
} as const;

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
      const edit = assertMessage<SyncEdit & { id?: string | number }>(editSchema, raw, 'edit');
      return { ok: true as const, value: { ...edit, id: edit.id === undefined ? undefined : String(edit.id) } };
    } catch (error) {
      return { ok: false as const, command_id: commandId, error: error as TakesError };
    }
  });
}
