import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, isTakesError, type Actor, type AppendCommand, type ChildCommand, type EventStore, type SignalData } from '@takes/contracts';
import { inTransaction, type Database } from '@takes/db';
import { actionSourceId } from '@takes/metadata';
import { createdRecordId, enterStep, workflowCommandId, workflowSignalCommandId, workflowUserId, type Move, type PlannedSignal, type PlannedWrite } from '@takes/workflows';
import { WorkflowsMetrics } from '../metrics';
import { DATABASE, LOGGER } from '../tokens';
import { addHistory, claimRunning, setTimer, updateInstance, type InstanceRow } from './instances.table';

/** Codes with which the store refuses a command for good (a retry would be judged the same until the cause is fixed). */
const REFUSALS = new Set(['VALIDATION_FAILED', 'FORBIDDEN', 'CONFLICT', 'NOT_FOUND', 'UNKNOWN_ENTITY', 'INVALID_PAYLOAD', 'UNKNOWN_FIELD']);

type Acted = { ok: true; detail: Record<string, unknown> } | { ok: false; error: Record<string, unknown> };

/**
 * Runs a running instance step by step until it pauses, ends or fails. Each step is one
 * transaction that holds the instance's row (FOR UPDATE SKIP LOCKED: one replica runs an
 * instance at a time, the others skip it) while the step's command goes to the event
 * store, and records the step in the history with the instance's new place. If the
 * process dies mid-step, the transaction rolls back and the step runs again later with
 * the same command id, which the store answers with its first result: acted once.
 */
@Injectable()
export class InstanceRunner {
  constructor(
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: WorkflowsMetrics,
  ) {}

  /** Runs the instance until it stops being running here (paused, ended, failed, or held by another replica). */
  async run(id: string): Promise<void> {
    while (await inTransaction(this.database.pool, (client) => this.step(client, id))) {
      // one step per transaction
    }
  }

  /** Takes one step; true when the instance is still running and should take the next. */
  private async step(client: PoolClient, id: string): Promise<boolean> {
    const row = await claimRunning(client, id);
    if (!row || row.current_step === null) return false;
    const started = process.hrtime.bigint();
    const move = enterStep(row.definition, row.current_step, { context: row.context, trigger: row.trigger }, new Date());
    const type = move.kind === 'end' ? 'end' : (row.definition.steps.find((s) => s.id === row.current_step)?.type ?? 'unknown');
    const more = await this.perform(client, row, move);
    this.metrics.stepSeconds.observe({ type }, Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.steps.inc({ type, result: move.kind });
    return more;
  }

  private async perform(client: PoolClient, row: InstanceRow, move: Move): Promise<boolean> {
    const next = { seq: row.seq + 1, attempt: 1 };
    switch (move.kind) {
      case 'end':
        await addHistory(client, row.id, { step: null, status: 'ended' });
        await updateInstance(client, row.id, { status: 'completed', current_step: null, seq: row.seq, attempt: row.attempt });
        return false;
      case 'branch':
        await addHistory(client, row.id, { step: move.step, status: move.outcome, detail: { next: move.next } });
        await updateInstance(client, row.id, { status: 'running', current_step: move.next, ...next });
        return true;
      case 'wait': {
        const step = row.definition.steps.find((s) => s.id === move.step);
        const assignee = step?.type === 'approval' ? step.assignee : null;
        await addHistory(client, row.id, { step: move.step, status: 'waiting', detail: { assignee, deadline: move.deadline?.toISOString() ?? null } });
        await updateInstance(client, row.id, {
          status: 'waiting',
          current_step: move.step,
          seq: row.seq,
          attempt: row.attempt,
          assignee_role: assignee?.type === 'role' ? assignee.role : null,
          assignee_user: assignee?.type === 'user' ? assignee.user_id : null,
          deadline: move.deadline,
        });
        if (move.deadline) await setTimer(client, row.id, move.step, row.seq, move.deadline);
        return false;
      }
      case 'fail':
        await this.fail(client, row, move.step, { code: 'VALIDATION_FAILED', message: move.message });
        return false;
      case 'act': {
        const acted = await this.act(row, move.step, move.writes, move.signals);
        if (!acted.ok) {
          await this.fail(client, row, move.step, acted.error);
          return false;
        }
        await addHistory(client, row.id, { step: move.step, status: 'completed', by: workflowUserId(row.workflow_id), detail: acted.detail });
        await updateInstance(client, row.id, { status: 'running', current_step: move.next, ...next });
        return true;
      }
    }
  }

  private async fail(client: PoolClient, row: InstanceRow, step: string, error: Record<string, unknown>): Promise<void> {
    this.log.warn({ instance: row.id, app: row.app, workflow: row.workflow_id, step, error }, 'workflow step failed');
    await addHistory(client, row.id, { step, status: 'failed', detail: { attempt: row.attempt, error } });
    await updateInstance(client, row.id, { status: 'failed', current_step: step, seq: row.seq, attempt: row.attempt, error });
  }

  /**
   * The step's writes as one command (the first write, the others nested in it, so the
   * writes apply whole or not at all), then its signals (send_event, webhook) in order, a
   * command each, all as the workflow's service user with its roles: decide applies
   * rules, state machines and permissions as to any write.
   */
  private async act(row: InstanceRow, step: string, writes: readonly PlannedWrite[], signals: readonly PlannedSignal[]): Promise<Acted> {
    const user: Actor = { id: workflowUserId(row.workflow_id), roles: [...row.definition.roles] };
    const detail: Record<string, unknown> = { attempt: row.attempt };
    let sending = '';
    try {
      if (writes.length > 0) {
        sending = workflowCommandId(row.id, row.seq, step, row.attempt);
        const written = await this.write(row, user, sending, writes);
        Object.assign(detail, { command_id: sending, ...written });
      }
      const sent: Record<string, unknown>[] = [];
      for (const [i, signal] of signals.entries()) {
        sending = workflowSignalCommandId(row.id, row.seq, step, i);
        const result = await this.store.append({ v: 1, command_id: sending, app: row.app, entity: signal.entity, entity_id: signal.entity_id, op: 'signal', data: this.signalData(row, step, signal), user });
        sent.push({ command_id: sending, type: signal.action.type, entity: signal.entity, id: signal.entity_id, version: result.version });
      }
      if (sent.length > 0) detail.signals = sent;
      return { ok: true, detail };
    } catch (error) {
      // A refusal stops the instance, visibly; anything else (the store unreachable) rolls
      // the step back, and it runs again with the same command ids.
      if (isTakesError(error) && REFUSALS.has(error.code)) return { ok: false, error: { command_id: sending, ...error.toBody() } };
      throw error;
    }
  }

  private async write(row: InstanceRow, user: Actor, commandId: string, writes: readonly PlannedWrite[]): Promise<Record<string, unknown>> {
    const targets = writes.map((write, i) => ({ ...write, entity_id: write.op === 'create' ? createdRecordId(row.id, row.seq, i) : write.entity_id }));
    const [first, ...rest] = targets;
    const children: ChildCommand[] = rest.map((write, i) => ({ entity: write.entity, entity_id: write.entity_id, op: write.op, data: write.data, path: `actions[${i + 1}]` }));
    const command: AppendCommand = {
      v: 1,
      command_id: commandId,
      app: row.app,
      entity: first.entity,
      entity_id: first.entity_id,
      op: first.op,
      data: first.data,
      user,
      ...(children.length > 0 ? { children } : {}),
    };
    const result = await this.store.append(command);
    return { outcome: result.outcome, records: targets.map((t) => ({ entity: t.entity, id: t.entity_id })), version: result.version };
  }

  /** A signal command's data: the event's name, or the call with the workflow as its source (whose secret signs it). */
  private signalData(row: InstanceRow, step: string, signal: PlannedSignal): SignalData {
    if (signal.action.type === 'send_event') return { event: signal.action.event };
    return { webhook: { url: signal.action.url, method: signal.action.method, source: actionSourceId('workflow', row.workflow_id), workflow: { instance: row.id, step } } };
  }
}
