import { randomUUID } from 'node:crypto';
import type { WorkflowInstanceView } from '@takes/contracts';
import { Webhook } from 'standardwebhooks';
import { eventually, startTakes, startWebhookReceiver, type ServiceProcess, type TakesProcesses, type WebhookReceiver } from '@takes/testing';
import { approvalWorkflow, orderSteps, purchaseOrder, rocketActionsWorkflow, rushWorkflow, steps } from './testing/purchase-order.fixtures';

/**
 * The workflows service from the outside (every service as a process, HTTP through the
 * gateway): Rocket's purchase-order story on each of its paths, bad definitions refused
 * at save, the assignee's role checked.
 */
describe('workflows: the purchase-order story (all services as processes)', () => {
  let takes: TakesProcesses;
  let workflows: ServiceProcess;
  let admin: string;
  let finance: string;
  let clerk: string;
  let approvalId: string;
  let rushId: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    takes = await startTakes('workflows_e2e', { TAKES_RATE_LIMIT: '100000' }, {
      webhooksEnv: { TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1', TAKES_WEBHOOKS_BASE_URL: `http://127.0.0.1:${receiver.port}`, TAKES_WEBHOOKS_POLL: '50ms' },
    });
    workflows = takes.workflows;
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
    await takes?.close();
    await receiver?.close();
  });

  const orders = () => orderSteps(takes, admin);
  const order = (amount: number, status?: string) => orders().order(amount, status);
  const instanceOf = (recordId: string, status: string, workflowId = approvalId) => orders().instanceOf(recordId, status, workflowId);
  const record = (id: string) => orders().record(id);
  const workflowEvents = (id: string, workflowId = approvalId) => orders().workflowEvents(id, workflowId);

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

  it("Rocket's send_event and webhook actions: approving sends po_approved on the order; rejecting calls the hook, signed with the workflow's secret", async () => {
    const saved = await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: rocketActionsWorkflow });
    expect(saved.status).toBe(201);
    const workflowId = saved.body.data.id as string;
    const secret = saved.body.data.webhook_secret as string;
    expect(secret).toMatch(/^whsec_/);

    const approvedId = await order(3000, 'review');
    const approving = await instanceOf(approvedId, 'waiting', workflowId);
    expect((await takes.api('POST', `/api/main/_workflows/${approving.id}/approve`, { token: finance, body: {} })).status).toBe(200);
    const approved = await instanceOf(approvedId, 'completed', workflowId);
    // The write and then the event, both the workflow's; the history names the signal's command.
    expect((await workflowEvents(approvedId, workflowId)).map((e) => [e.type, e.signal ?? null])).toEqual([['updated', null], ['signaled', 'po_approved']]);
    expect(approved.history!.find((h) => h.step === 'approved')!.detail).toMatchObject({ signals: [{ type: 'send_event', entity: 'purchase_order', id: approvedId }] });

    const rejectedId = await order(4000, 'review');
    const rejecting = await instanceOf(rejectedId, 'waiting', workflowId);
    expect((await takes.api('POST', `/api/main/_workflows/${rejecting.id}/reject`, { token: finance, body: { comment: 'no' } })).status).toBe(200);
    const [call] = await eventually(() => {
      expect(receiver.received('/hooks/po-rejected')).toHaveLength(1);
      return receiver.received('/hooks/po-rejected');
    });
    expect(new Webhook(secret).verify(call.body, call.headers as Record<string, string>)).toMatchObject({
      event: 'workflow.action',
      entity: 'purchase_order',
      record: { id: rejectedId, status: 'rejected' },
      workflow: { id: workflowId, instance: rejecting.id, step: 'rejected' },
      user: { id: `workflow:${workflowId}` },
    });
    expect((await workflowEvents(rejectedId, workflowId)).map((e) => e.type)).toEqual(['updated', 'webhook_requested']);
  });

  it('a workflow saved just before a record moves starts for it; deactivated or removed, it starts nothing more', async () => {
    // Each replica keeps what it has read of an app's workflows and asks the store only
    // for what changed since: each step here changes a workflow between two events.
    const noting = (name: string) => ({
      name,
      trigger: { type: 'state_change', entity: 'purchase_order', field: 'status', to: 'late' },
      context: { record_id: 'trigger.record_id' },
      steps: [{ id: 'note', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'note', value: name }], then: 'end' }],
    });
    const save = async (body: object) => {
      const saved = await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body });
      expect(saved.status).toBe(201);
      return saved.body.data.id as string;
    };
    const startedBy = async (recordId: string, workflowId: string) => {
      const list = await takes.api('GET', `/api/main/_admin/workflow-instances?workflow_id=${workflowId}&per_page=1000`, { token: admin });
      return (list.body.data as WorkflowInstanceView[]).filter((i) => i.trigger.record_id === recordId);
    };
    // The audit workflow stays: its instance says the event was handled.
    const auditId = await save(noting('late_audit'));
    await instanceOf(await order(100, 'late'), 'completed', auditId);

    const lateId = await save(noting('late_note'));
    const second = await order(100, 'late');
    await instanceOf(second, 'completed', lateId);

    const late = (await takes.api('GET', `/api/main/_admin/workflows/${lateId}`, { token: admin })).body.data;
    expect((await takes.api('PUT', `/api/main/_admin/workflows/${lateId}`, { token: admin, body: { ...late, active: false } })).status).toBe(200);
    const third = await order(100, 'late');
    await instanceOf(third, 'completed', auditId);
    expect(await startedBy(third, lateId)).toEqual([]);

    expect((await takes.api('PUT', `/api/main/_admin/workflows/${lateId}`, { token: admin, body: { ...late, active: true } })).status).toBe(200);
    const fourth = await order(100, 'late');
    await instanceOf(fourth, 'completed', lateId);

    expect((await takes.api('DELETE', `/api/main/_admin/workflows/${lateId}`, { token: admin })).status).toBe(200);
    const fifth = await order(100, 'late');
    await instanceOf(fifth, 'completed', auditId);
    expect(await startedBy(fifth, lateId)).toEqual([]);
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
    expect((await takes.api('GET', '/api/main/_workflows/not-an-id', { token: admin })).status).toBe(404);
    expect((await takes.api('POST', '/api/main/_admin/workflow-instances/0/retry', { token: admin })).status).toBe(404);
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
    expect(await fields({ ...approvalWorkflow, steps: [{ id: 'hook', type: 'action', actions: [{ type: 'webhook', url: 'ftp://example.com/po' }, { type: 'send_event' }] }] })).toEqual([
      'steps[0].actions[0].url pattern',
      'steps[0].actions[1].event required',
    ]);
    expect(await fields({ ...approvalWorkflow, trigger: { ...approvalWorkflow.trigger, entity: 'ghost' } })).toEqual(['trigger.entity exists']);
    expect((await takes.api('POST', '/api/main/_admin/workflows', { token: clerk, body: approvalWorkflow })).status).toBe(403);
  });

  it('documents the workflow routes in the OpenAPI document', async () => {
    const docs = await takes.api('GET', '/api/docs');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/{app}/_workflows/pending',
        '/api/{app}/_workflows/{id}',
        '/api/{app}/_workflows/{id}/approve',
        '/api/{app}/_workflows/{id}/reject',
        '/api/{app}/_admin/workflows',
        '/api/{app}/_admin/workflow-instances',
        '/api/{app}/_admin/workflow-instances/{id}/retry',
      ]),
    );
  });

  it('serves /metrics with instances by status, timers due and consumer lag', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${workflows.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/takes_workflow_instances\{[^}]*status="completed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/takes_workflow_timers_due(\{[^}]*\})? \d/);
    expect(metrics).toMatch(/takes_workflow_consumer_lag(\{[^}]*\})? \d/);
    expect(metrics).toMatch(/takes_workflow_step_seconds_count\{[^}]*type="action"/);
  });
});
