import { randomUUID } from 'node:crypto';
import type { WorkflowInstanceView } from '@takes/contracts';
import { eventually, serviceEnv, startService, startTakes, type ServiceProcess, type TakesProcesses } from '@takes/testing';
import { approvalWorkflow, orderSteps, purchaseOrder, rushWorkflow, steps } from './testing/purchase-order.fixtures';

/**
 * Exactly once, from the outside: the workflows service killed in the middle of a step
 * (its command applied, its step not yet recorded) and restarted while its event comes
 * again; two replicas at once; an action refused by a rule or a permission, then retried.
 */
const expense = {
  name: 'expense',
  table: 'expenses',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'status', type: 'string' },
    { name: 'note', type: 'string', nullable: true },
  ],
};
const auditNote = {
  name: 'audit_note',
  table: 'audit_notes',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'expense_id', type: 'string' },
    { name: 'text', type: 'string' },
  ],
};

/** Held by the suite: a workflow step that would record itself as completed waits for it (see holdSteps). */
const HOLD_LOCK = 7_401_002;

describe('workflows: exactly once, replicas, refusals (all services as processes)', () => {
  let takes: TakesProcesses;
  let admin: string;
  let approvalId: string;
  let rushId: string;
  const replicas: ServiceProcess[] = [];
  const env = () => ({ ...serviceEnv(takes.testDb, takes.stream), TAKES_WORKFLOWS_ACK_WAIT: '2s' });
  const startWorkflows = async () => {
    const replica = await startService('workflows', { env: env(), httpPortVar: 'TAKES_WORKFLOWS_HTTP_PORT' });
    replicas.push(replica);
    return replica;
  };

  /** Starts replicas until `count` of them run. */
  const running = async (count: number) => {
    while (replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null).length < count) await startWorkflows();
  };

  beforeAll(async () => {
    takes = await startTakes('workflows_once_e2e', { TAKES_RATE_LIMIT: '100000' });
    // The suite runs the replicas it kills and counts (with a short ack wait) itself.
    await takes.workflows.stop();
    admin = await takes.login();
    for (const entity of [purchaseOrder, expense, auditNote]) expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: entity })).status).toBe(201);
    approvalId = (await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: approvalWorkflow })).body.data.id;
    rushId = (await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: rushWorkflow })).body.data.id;
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await takes?.close();
  });
  const orders = () => orderSteps(takes, admin);
  /** What the history says the completed run of a step did (its attempt and command id). */
  const retriedStep = (instance: WorkflowInstanceView, step: string) => instance.history!.find((h) => h.step === step && h.status === 'completed')?.detail;

  /**
   * Makes every step that is about to record itself as completed wait for HOLD_LOCK, which
   * the suite's own connection holds: the step's command has then reached the event store,
   * and its transaction in the workflows schema is not committed.
   */
  async function holdSteps(): Promise<void> {
    await takes.sql(`SELECT pg_advisory_lock(${HOLD_LOCK})`);
    await takes.sql(`CREATE FUNCTION workflows.hold_step() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock_shared(${HOLD_LOCK}); PERFORM pg_advisory_unlock_shared(${HOLD_LOCK}); RETURN NEW; END $$`);
    await takes.sql(`CREATE TRIGGER hold_step BEFORE INSERT ON workflows.history FOR EACH ROW WHEN (NEW.status = 'completed') EXECUTE FUNCTION workflows.hold_step()`);
  }
  async function releaseSteps(): Promise<void> {
    await takes.sql('DROP TRIGGER hold_step ON workflows.history');
    await takes.sql('DROP FUNCTION workflows.hold_step()');
    // The killed process's server sessions would otherwise go on until they next write to it.
    await takes.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'takes-workflows' AND datname = current_database()");
    await takes.sql(`SELECT pg_advisory_unlock(${HOLD_LOCK})`);
  }

  it('killed in the middle of a step and restarted, with its event delivered again: the action is applied once', async () => {
    const first = await startWorkflows();
    await holdSteps();
    const id = await orders().order(300);
    // The action's command reached the store; the step is not recorded, the event not acked.
    await eventually(async () => expect(await orders().workflowEvents(id, approvalId)).toHaveLength(1), 20_000);
    const [held] = await takes.sql<{ status: string; current_step: string }>(`SELECT status, current_step FROM workflows.instances WHERE entity_id = $1`, [id]);
    expect(held).toEqual({ status: 'running', current_step: 'approved' });
    await first.kill();
    await releaseSteps();

    await startWorkflows();
    const done = await orders().instanceOf(id, 'completed', approvalId);
    expect(steps(done)).toEqual(['-:started', 'check_amount:on_false', 'approved:completed', '-:ended']);
    expect(await orders().workflowEvents(id, approvalId)).toHaveLength(1);
    expect((await orders().record(id)).status).toBe('approved');
    // The event came again once its ack wait passed (nothing left pending) and started nothing twice.
    await eventually(async () => {
      const [consumer] = await takes.sql<{ n: string }>(`SELECT count(*) AS n FROM workflows.instances WHERE entity_id = $1`, [id]);
      expect(Number(consumer.n)).toBe(1);
      const metrics = await (await fetch(`http://127.0.0.1:${replicas[1].httpPort}/metrics`)).text();
      expect(metrics).toMatch(/takes_workflow_consumer_lag(\{[^}]*\})? 0\b/);
    }, 20_000);
  });

  it('two replicas at once: each instance starts once and each timeout fires once', async () => {
    await running(2);
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) ids.push(await orders().order(5000 + i, 'rush'));
    for (const id of ids) {
      const done = await orders().instanceOf(id, 'completed', rushId);
      expect(steps(done).filter((s) => s === '-:started')).toHaveLength(1);
      expect(steps(done).filter((s) => s === 'finance_approval:timed_out')).toHaveLength(1);
      expect(steps(done)).toEqual(['-:started', 'check_amount:on_true', 'finance_approval:waiting', 'finance_approval:timed_out', 'escalate:completed', '-:ended']);
      expect(await orders().workflowEvents(id, rushId)).toHaveLength(1);
    }
    expect((await takes.sql<{ n: string }>('SELECT count(*) AS n FROM workflows.timers'))[0].n).toBe('0');
  });

  it('an action refused by a rule fails the instance visibly, applies nothing, and the admin retry works once the rule is fixed', async () => {
    const workflow = {
      name: 'expense_audit',
      trigger: { type: 'state_change', entity: 'expense', field: 'status', to: 'submitted' },
      context: { record_id: 'trigger.record_id' },
      steps: [
        {
          id: 'approve',
          type: 'action',
          actions: [
            { type: 'create_record', entity: 'audit_note', data: { expense_id: 'context.record_id', text: 'approved by the workflow' } },
            { type: 'set_field', entity: 'expense', record_id: 'context.record_id', field: 'status', value: 'approved' },
          ],
        },
      ],
    };
    await running(1);
    const workflowId = (await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: workflow })).body.data.id;
    const rule = { entity: 'expense', hook: 'before_write', type: 'expression', definition: { expression: "record.status == 'approved' && record.note == nil", message: 'an approved expense needs a note' }, active: true };
    const ruleId = (await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: rule })).body.data.id;

    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/expense', { token: admin, body: { id, status: 'submitted' } })).status).toBe(201);
    const failed = await orders().instanceOf(id, 'failed', workflowId);
    expect(failed.current_step).toBe('approve');
    expect(failed.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(steps(failed)).toEqual(['-:started', 'approve:failed']);
    const listed = await takes.api('GET', `/api/main/_admin/workflow-instances?status=failed&workflow_id=${workflowId}`, { token: admin });
    expect(listed.body.data.map((i: { id: string }) => i.id)).toEqual([failed.id]);
    // Nothing half-applied: no audit note, the expense as it was.
    expect((await takes.api('GET', '/api/main/audit_note', { token: admin })).body.data).toEqual([]);
    expect(await orders().workflowEvents(id, workflowId, 'expense')).toHaveLength(0);

    expect((await takes.api('DELETE', `/api/main/_admin/rules/${ruleId}`, { token: admin })).status).toBe(200);
    const retried = await takes.api('POST', `/api/main/_admin/workflow-instances/${failed.id}/retry`, { token: admin });
    expect(retried.status).toBe(200);
    expect(retried.body.data.status).toBe('completed');
    expect(retriedStep(retried.body.data, 'approve')).toMatchObject({ attempt: 2, command_id: expect.stringMatching(/:approve:2$/) });
    expect(steps(retried.body.data)).toEqual(['-:started', 'approve:failed', 'approve:retried', 'approve:completed', '-:ended']);
    await eventually(async () => expect((await orders().record(id, 'expense')).status).toBe('approved'));
    await eventually(async () => expect((await takes.api('GET', '/api/main/audit_note', { token: admin })).body.data).toMatchObject([{ expense_id: id }]));
    expect((await takes.api('POST', `/api/main/_admin/workflow-instances/${failed.id}/retry`, { token: admin })).status).toBe(409);
  });

  it('an action refused by a permission (a workflow with narrower roles) fails, and runs once the role may write', async () => {
    const workflow = {
      name: 'clerk_review',
      roles: ['clerk'],
      trigger: { type: 'state_change', entity: 'expense', field: 'status', to: 'review' },
      steps: [{ id: 'note', type: 'action', actions: [{ type: 'set_field', field: 'note', value: 'seen by a clerk' }] }],
    };
    await running(1);
    const workflowId = (await takes.api('POST', '/api/main/_admin/workflows', { token: admin, body: workflow })).body.data.id;
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/expense', { token: admin, body: { id, status: 'review' } })).status).toBe(201);
    const failed = await orders().instanceOf(id, 'failed', workflowId);
    expect(failed.error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await orders().record(id, 'expense')).note).toBeNull();

    expect((await takes.api('POST', '/api/main/_admin/permissions', { token: admin, body: { entity: 'expense', action: 'update', roles: ['clerk'] } })).status).toBe(201);
    const retried = await takes.api('POST', `/api/main/_admin/workflow-instances/${failed.id}/retry`, { token: admin });
    expect(retried.body.data.status).toBe('completed');
    expect(retriedStep(retried.body.data, 'note')).toMatchObject({ attempt: 2 });
    await eventually(async () => expect((await orders().record(id, 'expense')).note).toBe('seen by a clerk'));
    const events = await orders().workflowEvents(id, workflowId, 'expense');
    expect(events.map((e) => e.user)).toEqual([{ id: `workflow:${workflowId}`, roles: ['clerk'] }]);
  });
});
