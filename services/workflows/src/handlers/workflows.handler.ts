import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  TakesError,
  assertMessage,
  decideRequestSchema,
  instanceRequestSchema,
  listInstancesRequestSchema,
  pendingRequestSchema,
  subjects,
  workflowsRequestSchemas,
  type Actor,
  type DecideRequest,
  type InstanceRequest,
  type ListInstancesRequest,
  type PendingRequest,
  type WorkflowInstanceView,
  type WorkflowsPage,
} from '@takes/contracts';
import { RpcController } from '@takes/bus';
import { inTransaction, type Database } from '@takes/db';
import { decideApproval, mayDecide } from '@takes/workflows';
import { InstanceRunner } from '../instances/instance-runner';
import { addHistory, dropTimer, historyOf, instanceView, lockInstance, readInstance, updateInstance, type InstanceRow } from '../instances/instances.table';
import { DATABASE } from '../tokens';

/** The subjects without the deployment prefix (the RPC server puts it in front). */
const workflows = subjects();

const isAdmin = (user: Actor) => user.roles.includes('admin');

/** Who may see an instance: admins, the assignee (role or user) of its approval, the user whose edit started it. */
function maySee(row: InstanceRow, user: Actor): boolean {
  if (isAdmin(user)) return true;
  if (row.assignee_user === user.id || (row.assignee_role !== null && user.roles.includes(row.assignee_role))) return true;
  return (row.trigger.user as { id?: string } | undefined)?.id === user.id;
}

/**
 * `workflows.*` (the `Workflows` port's server side): the approvals waiting for a user,
 * one instance with its history, approve or reject, and for admins the list of instances
 * and the retry of a failed one. A decision or a retry answers once the instance has run
 * as far as it can (paused again, ended or failed).
 */
@RpcController()
export class WorkflowsHandler {
  constructor(
    @Inject(DATABASE) private readonly database: Database<unknown>,
    private readonly runner: InstanceRunner,
  ) {}

  @MessagePattern(workflows.workflows('pending'))
  async pending(@Payload() body: unknown): Promise<WorkflowInstanceView[]> {
    const request = assertMessage<PendingRequest>(pendingRequestSchema, body, 'pending request');
    const { rows } = await this.database.pool.query<InstanceRow>(
      `SELECT * FROM workflows.instances WHERE app = $1 AND status = 'waiting' AND ($2 OR assignee_user = $3 OR assignee_role = ANY($4::text[])) ORDER BY created_at LIMIT 1000`,
      [request.app, isAdmin(request.user), request.user.id, request.user.roles],
    );
    return rows.map((row) => instanceView(row));
  }

  @MessagePattern(workflows.workflows('get'))
  async get(@Payload() body: unknown): Promise<WorkflowInstanceView> {
    const request = assertMessage<InstanceRequest>(instanceRequestSchema, body, 'instance request');
    const row = await this.visible(request);
    return instanceView(row, await historyOf(this.database.pool, row.id));
  }

  /** Approve or reject: the assignee only (403), once (409 when decided already). */
  @MessagePattern(workflows.workflows('decide'))
  async decide(@Payload() body: unknown): Promise<WorkflowInstanceView> {
    const request = assertMessage<DecideRequest>(decideRequestSchema, body, 'decision');
    await inTransaction(this.database.pool, async (client) => {
      const row = await lockInstance(client, request.app, request.id);
      if (!row) throw notFound(request.id);
      if (row.status !== 'waiting' && !maySee(row, request.user)) throw new TakesError('FORBIDDEN', `workflow instance ${row.id} is not one you may decide`);
      if (row.status !== 'waiting' || row.current_step === null) throw new TakesError('CONFLICT', `workflow instance ${row.id} is not waiting for an approval (it is ${row.status})`, { status: row.status });
      if (!mayDecide(row.definition, row.current_step, request.user)) throw new TakesError('FORBIDDEN', `you may not decide the approval ${row.current_step}`);
      const next = decideApproval(row.definition, row.current_step, request.decision)!;
      await addHistory(client, row.id, { step: row.current_step, status: request.decision === 'approve' ? 'approved' : 'rejected', by: request.user.id, comment: request.comment ?? null, detail: { next } });
      await dropTimer(client, row.id);
      await updateInstance(client, row.id, { status: 'running', current_step: next, seq: row.seq + 1, attempt: 1, deadline: null });
    });
    return this.ranView(request);
  }

  @MessagePattern(workflows.workflows('list'))
  async list(@Payload() body: unknown): Promise<WorkflowsPage> {
    const request = assertMessage<ListInstancesRequest>(listInstancesRequestSchema, body, 'list request');
    const page = request.page ?? 1;
    const perPage = request.per_page ?? 25;
    const where = `app = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR workflow_id = $3)`;
    const params = [request.app, request.status ?? null, request.workflow_id ?? null];
    const [{ rows }, total] = await Promise.all([
      this.database.pool.query<InstanceRow>(`SELECT * FROM workflows.instances WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`, [...params, perPage, (page - 1) * perPage]),
      this.database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM workflows.instances WHERE ${where}`, params),
    ]);
    const count = Number(total.rows[0].n);
    return { data: rows.map((row) => instanceView(row)), meta: { page, per_page: perPage, total: count, total_pages: Math.ceil(count / perPage) } };
  }

  /** A failed instance runs its failed step again as a new attempt (a new command id). */
  @MessagePattern(workflows.workflows('retry'))
  async retry(@Payload() body: unknown): Promise<WorkflowInstanceView> {
    const request = assertMessage<InstanceRequest>(workflowsRequestSchemas.retry, body, 'retry request');
    if (!isAdmin(request.user)) throw new TakesError('FORBIDDEN', 'only admins may retry a workflow instance');
    await inTransaction(this.database.pool, async (client) => {
      const row = await lockInstance(client, request.app, request.id);
      if (!row) throw notFound(request.id);
      if (row.status !== 'failed') throw new TakesError('CONFLICT', `workflow instance ${row.id} has not failed (it is ${row.status})`, { status: row.status });
      await addHistory(client, row.id, { step: row.current_step, status: 'retried', by: request.user.id, detail: { attempt: row.attempt + 1 } });
      await updateInstance(client, row.id, { status: 'running', current_step: row.current_step, seq: row.seq, attempt: row.attempt + 1, error: null });
    });
    return this.ranView(request);
  }

  /** Runs the instance as far as it goes, then shows it with its history. */
  private async ranView(request: InstanceRequest): Promise<WorkflowInstanceView> {
    // If the store is unreachable, the timer loop resumes the instance later; the answer shows it running.
    await this.runner.run(request.id).catch(() => undefined);
    const row = (await readInstance(this.database.pool, request.app, request.id))!;
    return instanceView(row, await historyOf(this.database.pool, row.id));
  }

  private async visible(request: InstanceRequest): Promise<InstanceRow> {
    const row = await readInstance(this.database.pool, request.app, request.id);
    if (!row) throw notFound(request.id);
    if (!maySee(row, request.user)) throw new TakesError('FORBIDDEN', `workflow instance ${request.id} is not one you may see`);
    return row;
  }
}

function notFound(id: string): TakesError {
  return new TakesError('NOT_FOUND', `no workflow instance ${id}`);
}
