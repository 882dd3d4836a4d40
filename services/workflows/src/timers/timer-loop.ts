import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { inTransaction, type Database } from '@takes/db';
import { decideApproval } from '@takes/workflows';
import { WORKFLOWS_CONFIG, type WorkflowsConfig } from '../config';
import { InstanceRunner } from '../instances/instance-runner';
import { addHistory, claimDueTimers, dropTimer, updateInstance, type InstanceRow } from '../instances/instances.table';
import { DATABASE, LOGGER } from '../tokens';

/** Instances left running longer than this (a replica died mid-step) are resumed by any replica. */
const RESUME_AFTER_MS = 2_000;

/**
 * Every tick (TAKES_WORKFLOWS_TICK, 500 ms by default): fires the approvals whose deadline
 * passed and resumes instances a dead replica left running. Timers are claimed with
 * FOR UPDATE SKIP LOCKED and deleted in the transaction that moves their instance on, so
 * with any number of replicas each timeout fires once; an instance being decided at that
 * moment is skipped (its decision drops the timer).
 */
@Injectable()
export class TimerLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(WORKFLOWS_CONFIG) private readonly config: WorkflowsConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly runner: InstanceRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.running = this.tick()
        .catch((error) => this.log.warn({ err: error }, 'workflow timer tick failed'))
        .finally(() => (this.running = undefined));
    }, this.config.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    const fired = await inTransaction(this.database.pool, (client) => this.fireDue(client));
    const { rows } = await this.database.pool.query<{ id: string }>(
      `SELECT id FROM workflows.instances WHERE status = 'running' AND updated_at < clock_timestamp() - make_interval(secs => $1) ORDER BY updated_at LIMIT 50`,
      [RESUME_AFTER_MS / 1000],
    );
    for (const id of [...fired, ...rows.map((r) => r.id)]) {
      if (this.stopped) return;
      await this.runner.run(id).catch((error) => this.log.warn({ err: error, instance: id }, 'workflow instance not resumed yet'));
    }
  }

  /** Moves each instance whose approval timed out on to its on_timeout step; the ids moved. */
  private async fireDue(client: PoolClient): Promise<string[]> {
    const moved: string[] = [];
    for (const timer of await claimDueTimers(client, 50)) {
      const { rows } = await client.query<InstanceRow>(`SELECT * FROM workflows.instances WHERE id = $1 FOR UPDATE SKIP LOCKED`, [timer.instance_id]);
      const row = rows[0];
      if (!row) continue; // being decided right now
      await dropTimer(client, row.id);
      if (row.status !== 'waiting' || row.current_step !== timer.step || row.seq !== timer.seq) continue;
      const next = decideApproval(row.definition, timer.step, 'timeout');
      if (next === null) continue;
      await addHistory(client, row.id, { step: timer.step, status: 'timed_out', detail: { deadline: row.deadline?.toISOString() ?? null, next } });
      await updateInstance(client, row.id, { status: 'running', current_step: next, seq: row.seq + 1, attempt: 1, deadline: null });
      this.log.info({ instance: row.id, app: row.app, workflow: row.workflow_id, step: timer.step }, 'approval timed out');
      moved.push(row.id);
    }
    return moved;
  }
}
