import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { EVENT_STORE, TakesError, type EventStore, type SyncEdit, type SyncResponse, type SyncResult } from '@takes/contracts';
import { visibleRecord } from '@takes/metadata';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { RecordCommands, type RecordEdit } from '../records/record-commands';
import { deviceHash } from '../records/write-headers';
import { ReadYourWrites } from '../reads/read-your-writes';
import { parseSyncBatch } from './sync-batch';
import { SyncHooks } from '../webhooks/sync-hooks';

/**
 * `POST /api/:app/_sync`: a device's offline edits, one result each, in order. Edits of
 * one record run one after another (a chain of offline edits keeps its order); records
 * run side by side. A failed edit does not stop the others, and every edit carries its
 * own command id, so sending the same batch again appends nothing twice.
 */
@ApiTags('sync')
@Controller('api/:app')
export class SyncController {
  constructor(
    private readonly commands: RecordCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly consistency: ReadYourWrites,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly syncHooks: SyncHooks,
  ) {}

  @Post('_sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply a batch of offline edits; one result per edit, in order' })
  async sync(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<SyncResponse> {
    const edits = parseSyncBatch(body, this.config.syncMaxEdits);
    const results: SyncResult[] = new Array(edits.length);
    const byRecord = new Map<string, number[]>();
    edits.forEach((edit, i) => {
      const key = edit.ok ? `${edit.value.entity}\u001f${edit.value.id ?? `new-${i}`}` : `bad-${i}`;
      byRecord.set(key, [...(byRecord.get(key) ?? []), i]);
    });
    const chains = [...byRecord.values()];
    let next = 0;
    const worker = async () => {
      for (let c = next++; c < chains.length; c = next++) {
        for (const i of chains[c]) results[i] = await this.apply(app, edits[i], req);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, chains.length) }, worker));
    return { data: results };
  }

  private async apply(app: string, parsed: ReturnType<typeof parseSyncBatch>[number], req: FastifyRequest): Promise<SyncResult> {
    if (!parsed.ok) return { command_id: parsed.command_id, outcome: 'rejected', error: parsed.error.toBody() };
    const edit: SyncEdit = parsed.value;
    try {
      const recordEdit: RecordEdit = { entity: edit.entity, id: edit.id, op: edit.op, data: edit.data, patch: edit.patch };
      const { command, entity } = await this.commands.build(app, req.principal!, recordEdit, {
        commandId: edit.command_id,
        madeCommandId: false,
        baseVersion: edit.base_version,
        parent: edit.parent,
        branchTs: edit.branch_ts,
        submitTs: edit.submit_ts,
        device: deviceHash(app, edit.device),
      });
      await this.syncHooks.check(command, req.traceparent);
      const result = await this.store.append(command, { traceparent: req.traceparent });
      this.consistency.wrote(req.principal!.userId, result.position);
      return {
        command_id: edit.command_id,
        outcome: result.outcome,
        id: result.entity_id,
        version: result.version,
        position: result.position,
        contested: result.contested,
        record: result.deleted ? null : visibleRecord(entity, result.record),
        ...(result.overwritten ? { overwritten: result.overwritten } : {}),
      };
    } catch (error) {
      if (error instanceof TakesError) return { command_id: edit.command_id, outcome: 'rejected', error: error.toBody() };
      throw error;
    }
  }
}
