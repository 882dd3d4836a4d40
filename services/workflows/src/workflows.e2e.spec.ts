import { randomUUID } from 'node:crypto';
import type { TakesEvent, WorkflowInstanceView } from '@takes/contracts';
import { eventually, serviceEnv, startService, startTakes, type ServiceProcess, type TakesProcesses } from '@takes/testing';

/**
 * The workflows service from the outside (every service as a process, HTTP through the
 * gateway): Rocket's purchase-order story on each of its paths, bad definitions refused
 * at save, the assignee's role checked.
 */
const purchaseOrder = {
  name: 'purchase_order',
  table: 'purchase_orders',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'status', type: 'string' },
    { name: 'amount', type: 'int' },
    { name: 'escalated', type: 'boolean', nullable: true },
    { name: 'note', type: 'string', nullable: true },
  ],
};

/** Rocket's purchase-order workflow, with the actions Takes runs (set_field). */
export const approvalWorkflow = {
  name: 'purchase_order_approval',
  trigger: { type: 'state_change', entity: 'purchase_order', field: 'status', to: 'pending_approval' },
  context: { record_id: 'trigger.record_id', amount: 'trigger.record.amount' },
  steps: [
    { id: 'check_amount', type: 'condition', expression: 'context.amount > 1000', on_true: { goto: 'finance_approval' }, on_false: { goto: 'approved' } },
    {
      id: 'finance_approval',
      type: 'approval',
      assignee: { type: 'role', role: 'finance_manager' },
      timeout: '72h',
      on_approve: { goto: 'approved' },
      on_reject: { goto: 'rejected' },
      on_timeout: { goto: 'escalate' },
    },
    { id: 'escalate', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'escalated', value: true }], then: 'end' },
    { id: 'approved', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'status', value: 'approved' }], then: 'end' },
    { id: 'rejected', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'status', value: 'rejected' }], then: 'end' },
  ],
};

/** The same approval with a short timeout, triggered by `rush`. */
const rushWorkflow = {
  ...approvalWorkflow,
  name: 'rush_order',
  trigger: { ...approvalWorkflow.trigger, to: 'rush' },
  steps: approvalWorkflow.steps.map((step) => (step.id === 'finance_approval' ? { ...step, timeout: '1s' } : step)),
};

describe('workflows: the purchase-order story (all services as processes)', () => {
  let takes: TakesProcesses;
  let workflows: ServiceProcess;
  let admin: string;
  let finance: string;
  let clerk: string;
  let approvalId: string;
  let rushId: string;

  beforeAll(async () => {
    takes = await startTakes('workflows_e2e', { TAKES_RATE_LIMIT: '100000' });
    workflows = await startService('workflows', { env: serviceEnv(takes.testDb, takes.stream), httpPortVar: 'TAKES_WORKFLOWS_HTTP_PORT' });
    admin = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: purchaseOrder })).status).toBe(201);
    for (const [email, role] of [['finance@localhost', 'finance_manager'], ['clerk@localhost', 'clerk']]) {
      expect((await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email, password: 'changeme-1', roles: [role] } })).status).toBe(201);
    }
    finance = await takes.login('main', 'finance@localhost', 'changeme-1');
    clerk = await takes.login('main', 'clerk@localhost', 'changeme-1');
    const saved = await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: approvalWorkflow });
    expect(saved.status).toBe(201);
    approvalId = saved.body.data.id;
    rushId = (await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: rushWorkflow })).body.data.id;
  });
  afterAll(async () => {
    await workflows?.stop();
    await takes?.close();
  });

  async function order(amount: number, status = 'pending_approval'): Promise<string> {
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/purchase_order', { token: admin, body: { id, status: 'draft', amount } })).status).toBe(201);
    expect((await takes.api('PUT', `/api/main/purchase_order/${id}`, { token: admin, body: { status } })).status).toBe(200);
    return id;
  }
  /** The instance a record started, once the service has stored it and it reached `status`. */
  async function instanceOf(recordId: string, status: string, workflowId = approvalId): Promise<WorkflowInstanceView> {
    return eventually(async () => {
      const list = await takes.api('GET', `/api/main/_admin/workflow-instances?workflow_id=${workflowId}&per_page=1000`, { token: admin });
      expect(list.status).toBe(200);
      const mine = (list.body.data as WorkflowInstanceView[]).filter((i) => i.trigger.record_id === recordId);
      expect(mine).toHaveLength(1);
      expect(mine[0].status).toBe(status);
      return (await takes.api('GET', `/api/main/_workflows/${mine[0].id}`, { token: admin })).body.data as WorkflowInstanceView;
    }, 20_000);
  }
  const steps = (instance: WorkflowInstanceView) => instance.history!.map((h) => `${h.step ?? '-'}:${h.status}`);
  const record = async (id: string) => (await takes.api('GET', `/api/main/purchase_order/${id}`, { token: admin })).body.data;
  const workflowEvents = async (id: string, workflowId = approvalId) =>
    ((await takes.api<{ data: TakesEvent[] }>('GET', `/api/main/purchase_order/${id}/events`, { token: admin })).body.data).filter((e) => e.user.id === `workflow:${workflowId}`);

  it('lists the saved workflow in Rocket shape, its name kept', async () => {
    const got = await takes.api('GET', `/api/main/_admin/workflows/${approvalId}`, { token: admin });
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({ id: approvalId, name: 'purchase_order_approval', active: true, roles: ['admin'] });
  });

  it('a large order waits for finance; approving it sets the status through a command, recorded in the history', async () => {
    const id = await order(5000);
    const waiting = await instanceOf(id, 'waiting');
    expect(waiting).toMatchObject({ current_step: 'finance_approval', context: { record_id: id, amount: 5000 }, assignee: { type: 'role', role: 'finance_manager' } });
    const pending = await takes.api('GET', '/api/main/_workflows/pending', { token: finance });
    expect(pending.body.data.map((i: WorkflowInstanceView) => i.id)).toContain(waiting.id);
    expect((await takes.api('GET', '/api/main/_workflows/pending', { token: clerk })).body.data).toEqual([]);

    const approved = await takes.api('POST', `/api/main/_workflows/${waiting.id}/approve`, { token: finance, body: { comment: 'within budget' } });
    expect(approved.status).toBe(200);
    expect(approved.body.data.status).toBe('completed');
    expect(steps(approved.body.data)).toEqual(['-:started', 'check_amount:on_true', 'finance_approval:waiting', 'finance_approval:approved', 'approved:completed', '-:ended']);
    const decision = approved.body.data.history.find((h: { status: string }) => h.status === 'approved');
    expect(decision).toMatchObject({ comment: 'within budget' });
    expect(decision.by).toEqual(expect.any(String));
    await eventually(async () => expect((await record(id)).status).toBe('approved'));
    expect(await workflowEvents(id)).toHaveLength(1);

    // Decided already: 409; the finance user may read what they decided.
    expect((await takes.api('POST', `/api/main/_workflows/${waiting.id}/reject`, { token: finance, body: {} })).status).toBe(409);
    expect((await takes.api('GET', `/api/main/_workflows/${waiting.id}`, { token: finance })).status).toBe(200);
  });

  it('rejecting takes the other path', async () => {
    const id = await order(2500);
    const waiting = await instanceOf(id, 'waiting');
    const rejected = await takes.api('POST', `/api/main/_workflows/${waiting.id}/reject`, { token: finance, body: { comment: 'too dear' } });
    expect(rejected.status).toBe(200);
    expect(steps(rejected.body.data)).toEqual(['-:started', 'check_amount:on_true', 'finance_approval:waiting', 'finance_approval:rejected', 'rejected:completed', '-:ended']);
    await eventually(async () => expect((await record(id)).status).toBe('rejected'));
  });

  it('a small order is approved at once, without an approval', async () => {
    const id = await order(200);
    const done = await instanceOf(id, 'completed');
    expect(steps(done)).toEqual(['-:started', 'check_amount:on_false', 'approved:completed', '-:ended']);
    await eventually(async () => expect((await record(id)).status).toBe('approved'));
  });

  it('an approval nobody decides in time takes the timeout path', async () => {
    const id = await order(9000, 'rush');
    const done = await instanceOf(id, 'completed', rushId);
    expect(steps(done)).toEqual(['-:started', 'check_amount:on_true', 'finance_approval:waiting', 'finance_approval:timed_out', 'escalate:completed', '-:ended']);
    await eventually(async () => expect((await record(id)).escalated).toBe(true));
    expect(await workflowEvents(id, rushId)).toHaveLength(1);
  });

  it('an approval by a user without the role is 403, and changes nothing', async () => {
    const id = await order(4000);
    const waiting = await instanceOf(id, 'waiting');
    const refused = await takes.api('POST', `/api/main/_workflows/${waiting.id}/approve`, { token: clerk, body: { comment: 'me too' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect((await takes.api('GET', `/api/main/_workflows/${waiting.id}`, { token: clerk })).status).toBe(403);
    expect((await instanceOf(id, 'waiting')).history).toHaveLength(3);
    expect((await takes.api('POST', `/api/main/_workflows/${randomUUID()}/approve`, { token: finance, body: {} })).status).toBe(404);
    expect((await takes.api('POST', `/api/main/_workflows/${waiting.id}/approve`, { token: finance, body: { comment: 3 } })).status).toBe(422);
  });

  it('refuses bad definitions at save with 422 and where', async () => {
    const save = (body: unknown) => takes.api('POST', '/api/main/_admin/workflows', { token: admin, body });
    const fields = async (body: unknown) => {
      const r = await save(body);
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      return r.body.error.details.map((d: { field: string; rule: string }) => `${d.field} ${d.rule}`);
    };
    expect(await fields({ ...approvalWorkflow, steps: [{ ...approvalWorkflow.steps[0], on_true: { goto: 'nowhere' } }] })).toEqual(['steps[0].on_true exists', 'steps[0].on_false exists']);
    const loop = [
      { id: 'a', type: 'action', actions: [{ type: 'set_field', field: 'note', value: 'a' }], then: { goto: 'b' } },
      { id: 'b', type: 'action', actions: [{ type: 'set_field', field: 'note', value: 'b' }], then: { goto: 'a' } },
    ];
    expect(await fields({ ...approvalWorkflow, steps: loop })).toEqual(['steps[0].then cycle']);
    expect(await fields({ ...approvalWorkflow, steps: [{ ...approvalWorkflow.steps[0], expression: 'context.amount >' }] })).toEqual(['steps[0].expression expression']);
    expect(await fields({ ...approvalWorkflow, steps: [{ id: 'hook', type: 'action', actions: [{ type: 'webhook', url: '/hooks/po', method: 'POST' }] }] })).toEqual(['steps[0].actions[0].type unsupported']);
    expect(await fields({ ...approvalWorkflow, trigger: { ...approvalWorkflow.trigger, entity: 'ghost' } })).toEqual(['trigger.entity exists']);
    expect((await takes.api('POST', '/api/main/_admin/workflows', { token: clerk, body: approvalWorkflow })).status).toBe(403);
  });

  it('serves /metrics with instances by status, timers due and consumer lag', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${workflows.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/takes_workflow_instances\{[^}]*status="completed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/takes_workflow_timers_due(\{[^}]*\})? \d/);
    expect(metrics).toMatch(/takes_workflow_consumer_lag(\{[^}]*\})? \d/);
    expect(metrics).toMatch(/takes_workflow_step_seconds_count\{[^}]*type="action"/);
  });
});
