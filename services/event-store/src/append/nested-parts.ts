import { TakesError, type AppendCommand, type ErrorBody } from '@takes/contracts';
import { META_ENTITY } from '@takes/decide';
import { streamKey } from './append-request';

/** The command's own record first, then each child as a command on its own record, applied at its head. */
export function partsOf(command: AppendCommand): AppendCommand[] {
  const { children, ...own } = command;
  return [
    own,
    ...(children ?? []).map((child) => ({
      v: command.v,
      command_id: command.command_id,
      parent: command.parent ?? null,
      app: command.app,
      entity: child.entity,
      entity_id: child.entity_id,
      op: child.op,
      base_version: null,
      ...(child.data ? { data: child.data } : {}),
      branch_ts: null,
      submit_ts: command.submit_ts ?? null,
      device: command.device ?? null,
      user: command.user,
    })),
  ];
}

/** A nested write may not write metadata, nor one record twice. */
export function partsProblem(parts: AppendCommand[]): TakesError | null {
  const seen = new Set<string>();
  for (const [i, part] of parts.entries()) {
    if (i > 0 && part.entity === META_ENTITY) return new TakesError('INVALID_PAYLOAD', 'a nested write cannot write metadata');
    const key = streamKey(part);
    if (seen.has(key)) return new TakesError('INVALID_PAYLOAD', `a nested write writes ${part.entity} ${part.entity_id} twice`);
    seen.add(key);
  }
  return null;
}

/** A child's refusal as the nested write's: its path in the body leads each detail. */
export function childError(command: AppendCommand, index: number, error: ErrorBody): ErrorBody {
  const child = command.children![index];
  const at = child.path ?? `children[${index}]`;
  // The record was there (or not) when the gateway planned the write: another write
  // changed it since, so the client should read again and retry.
  const code = error.code === 'NOT_FOUND' || error.code === 'UNKNOWN_ENTITY' ? 'CONFLICT' : error.code;
  return {
    code,
    message: `${at} (${child.entity} ${child.entity_id}): ${error.message}`,
    details: Array.isArray(error.details)
      ? error.details.map((d) => ({ ...d, field: d.field ? `${at}.${d.field}` : at }))
      : [{ field: at, rule: code.toLowerCase(), message: error.message }],
  };
}

