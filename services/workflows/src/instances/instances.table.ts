import type { ClientBase, Pool } from 'pg';
import type { InstanceStatus, WorkflowHistoryEntry, WorkflowInstanceView } from '@takes/contracts';
import { UUID_PATTERN } from '@takes/ids';
import type { WorkflowDefinition } from '@takes/workflows';

/** A row of workflows.instances. */
export interface InstanceRow {
  id: string;
  app: string;
  workflow_id: string;
  workflow_title: string;
  definition: WorkflowDefinition;
  definition_version: number;
  event_id: string;
  entity: string;
  entity_id: string;
  status: InstanceStatus;
  current_step: string | null;
  seq: number;
  attempt: number;
  context: Record<string, unknown>;
  trigger: Record<string, unknown>;
  assignee_role: string | null;
  assignee_user: string | null;
  deadline: Date | null;
  error: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

export type NewInstance = Pick<
  InstanceRow,
  'id' | 'app' | 'workflow_id' | 'workflow_title' | 'definition' | 'definition_version' | 'event_id' | 'entity' | 'entity_id' | 'current_step' | 'context' | 'trigger'
>;

/** Inserts a running instance unless this workflow already started one for this event; its id, or null when it had. */
export async function insertInstance(client: ClientBase, row: NewInstance): Promise<string | null> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO workflows.instances (id, app, workflow_id, workflow_title, definition, definition_version, event_id, entity, entity_id, status, current_step, context, trigger)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running', $10, $11, $12)
     ON CONFLICT (app, workflow_id, event_id) DO NOTHING RETURNING id`,
    [row.id, row.app, row.workflow_id, row.workflow_title, JSON.stringify(row.definition), row.definition_version, row.event_id, row.entity, row.entity_id, row.current_step, JSON.stringify(row.context), JSON.stringify(row.trigger)],
  );
  return rows[0]?.id ?? null;
}

/** The instance, locked for this transaction, when it is running and no other transaction holds it. */
export async function claimRunning(client: ClientBase, id: string): Promise<InstanceRow | null> {
  if (!UUID_PATTERN.test(id)) return null;
  const { rows } = await client.query<InstanceRow>(`SELECT * FROM workflows.instances WHERE id = $1 AND status = 'running' FOR UPDATE SKIP LOCKED`, [id]);
  return rows[0] ?? null;
}

/** The app's instance, locked for this transaction (waiting for another holder), whatever its status. */
export async function lockInstance(client: ClientBase, app: string, id: string): Promise<InstanceRow | null> {
  if (!UUID_PATTERN.test(id)) return null; // an id that is no UUID names no instance
  const { rows } = await client.query<InstanceRow>(`SELECT * FROM workflows.instances WHERE app = $1 AND id = $2 FOR UPDATE`, [app, id]);
  return rows[0] ?? null;
}

export async function readInstance(client: ClientBase | Pool, app: string, id: string): Promise<InstanceRow | null> {
  if (!UUID_PATTERN.test(id)) return null;
  const { rows } = await client.query<InstanceRow>(`SELECT * FROM workflows.instances WHERE app = $1 AND id = $2`, [app, id]);
  return rows[0] ?? null;
}

/** What a step changes on its instance. */
export interface InstanceChange {
  status: InstanceStatus;
  current_step: string | null;
  seq: number;
  attempt: number;
  assignee_role?: string | null;
  assignee_user?: string | null;
  deadline?: Date | null;
  error?: Record<string, unknown> | null;
}

export async function updateInstance(client: ClientBase, id: string, change: InstanceChange): Promise<void> {
  await client.query(
    `UPDATE workflows.instances SET status = $2, current_step = $3, seq = $4, attempt = $5,
       assignee_role = COALESCE($6, assignee_role), assignee_user = COALESCE($7, assignee_user),
       deadline = $8, error = $9, updated_at = clock_timestamp()
     WHERE id = $1`,
    [id, change.status, change.current_step, change.seq, change.attempt, change.assignee_role ?? null, change.assignee_user ?? null, change.deadline ?? null, change.error ? JSON.stringify(change.error) : null],
  );
}

/** One history entry of a step taken. */
export interface NewHistoryEntry {
  step: string | null;
  status: string;
  by?: string | null;
  comment?: string | null;
  detail?: Record<string, unknown> | null;
}

export async function addHistory(client: ClientBase, instanceId: string, entry: NewHistoryEntry): Promise<void> {
  await client.query(`INSERT INTO workflows.history (instance_id, step, status, by_user, comment, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
    instanceId,
    entry.step,
    entry.status,
    entry.by ?? null,
    entry.comment ?? null,
    entry.detail ? JSON.stringify(entry.detail) : null,
  ]);
}

export async function historyOf(client: ClientBase | Pool, instanceId: string): Promise<WorkflowHistoryEntry[]> {
  const { rows } = await client.query<{ step: string | null; status: string; by_user: string | null; comment: string | null; detail: Record<string, unknown> | null; at: Date }>(
    `SELECT step, status, by_user, comment, detail, at FROM workflows.history WHERE instance_id = $1 ORDER BY id`,
    [instanceId],
  );
  return rows.map((row) => ({ step: row.step, status: row.status, by: row.by_user, comment: row.comment, at: row.at.toISOString(), detail: row.detail }));
}

/** Sets (or replaces) the instance's timer. */
export async function setTimer(client: ClientBase, instanceId: string, step: string, seq: number, dueAt: Date): Promise<void> {
  await client.query(
    `INSERT INTO workflows.timers (instance_id, step, seq, due_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (instance_id) DO UPDATE SET step = EXCLUDED.step, seq = EXCLUDED.seq, due_at = EXCLUDED.due_at`,
    [instanceId, step, seq, dueAt],
  );
}

export async function dropTimer(client: ClientBase, instanceId: string): Promise<void> {
  await client.query(`DELETE FROM workflows.timers WHERE instance_id = $1`, [instanceId]);
}

/** Due timers, locked for this transaction; those another replica holds are skipped. */
export async function claimDueTimers(client: ClientBase, limit: number): Promise<{ instance_id: string; step: string; seq: number }[]> {
  const { rows } = await client.query<{ instance_id: string; step: string; seq: number }>(
    `SELECT instance_id, step, seq FROM workflows.timers WHERE due_at <= clock_timestamp() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** The route's view of an instance (history added when given). */
export function instanceView(row: InstanceRow, history?: WorkflowHistoryEntry[]): WorkflowInstanceView {
  const step = row.definition.steps.find((s) => s.id === row.current_step);
  return {
    id: row.id,
    workflow_id: row.workflow_id,
    workflow: row.workflow_title,
    definition_version: row.definition_version,
    status: row.status,
    current_step: row.current_step,
    context: row.context,
    trigger: { entity: row.entity, record_id: row.entity_id, event_id: row.event_id },
    assignee: row.status === 'waiting' && step?.type === 'approval' ? step.assignee : null,
    deadline: row.deadline ? row.deadline.toISOString() : null,
    attempt: row.attempt,
    error: row.error,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...(history ? { history } : {}),
  };
}
