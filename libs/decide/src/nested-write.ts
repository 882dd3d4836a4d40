import { TakesError, type AppendCommand } from '@takes/contracts';
import { META_ENTITY, type Decision } from './decision';

/**
 * A nested write is one command that writes several records, kept whole or not at all.
 * Its parts: the command's own record first, then each child as a command on its own
 * record, applied at its head.
 */
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
    const key = JSON.stringify([part.entity, part.entity_id]);
    if (seen.has(key)) return new TakesError('INVALID_PAYLOAD', `a nested write writes ${part.entity} ${part.entity_id} twice`);
    seen.add(key);
  }
  return null;
}

/**
 * What a nested write makes of the decision on its part `index` (0: the command's own
 * record, i: child i - 1). The own record's edit kept aside (shelved) refuses the whole
 * command: its related rows were planned for an applied edit. A child's refusal is the
 * command's, named by the child's path in the body (see childError).
 */
export function nestedPartDecision(command: AppendCommand, index: number, decision: Decision): Decision {
  if (index === 0) {
    if (!command.children?.length || decision.kind !== 'append' || decision.outcome !== 'shelved') return decision;
    return {
      kind: 'reject',
      error: new TakesError('CONFLICT', `the edit of ${command.entity} ${command.entity_id} cannot be applied (it would be shelved), so neither can its related rows`, {
        version: decision.next.version - 1,
        current: decision.next.state,
      }),
    };
  }
  return decision.kind === 'reject' ? { kind: 'reject', error: childError(command, index - 1, decision.error) } : decision;
}

/** A child's refusal as the nested write's: its path in the body leads each detail. */
export function childError(command: AppendCommand, index: number, error: TakesError): TakesError {
  const child = command.children![index];
  const at = child.path ?? `children[${index}]`;
  // The record was there (or not) when the gateway planned the write: another write
  // changed it since, so the client should read again and retry.
  const code = error.code === 'NOT_FOUND' || error.code === 'UNKNOWN_ENTITY' ? 'CONFLICT' : error.code;
  return new TakesError(
    code,
    `${at} (${child.entity} ${child.entity_id}): ${error.message}`,
    Array.isArray(error.details)
      ? error.details.map((d) => ({ ...d, field: d.field ? `${at}.${d.field}` : at }))
      : [{ field: at, rule: code.toLowerCase(), message: error.message }],
  );
}
