import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_STORE,
  TakesError,
  assertMessage,
  patchOperationSchema,
  type AppendCommand,
  type ChildCommand,
  type ChildOp,
  type CommandOp,
  type EventStore,
  type PatchOperation,
} from '@takes/contracts';
import { requestFingerprint } from '@takes/decide';
import {
  isLinkEntity,
  planNestedWrites,
  recordKey,
  splitNestedBody,
  validateRecordWrite,
  type EntityDefinition,
  type NestedWrite,
} from '@takes/metadata';
import { actorOf, type Principal } from '../http/request-context';
import { MetadataService } from '../metadata/metadata.service';
import { ReadYourWrites } from '../reads/read-your-writes';
import { KeyGenerator } from './key-generator';
import { NestedLookupsFactory } from './nested-lookups';
import type { PermissionAction } from '@takes/permissions';
import { RecordAccess } from '../permissions/record-access';
import type { WriteHeaders } from './write-headers';

/** One edit of one record, as HTTP routes and `_sync` both describe it. */
export interface RecordEdit {
  entity: string;
  id?: string;
  op: Exclude<CommandOp, 'define' | 'remove' | 'resolve' | 'signal'>;
  data?: unknown;
  patch?: unknown;
}

const ACTION: Record<RecordEdit['op'], PermissionAction> = { create: 'create', put: 'update', patch: 'update', delete: 'delete', restore: 'update' };
const CHILD_ACTION: Record<ChildOp, PermissionAction> = { create: 'create', put: 'update', delete: 'delete', restore: 'update' };

const patchDocumentSchema = { type: 'array', items: patchOperationSchema, maxItems: 10_000 } as const;

/**
 * Turns an edit into an event-store command: checks the entity, the caller's permission
 * and the body against the entity's fields (the same pure validation the event store's
 * decide step runs), and fills the primary key of a create. A create or put whose body
 * holds relation keys is a nested write: its related records' writes go in the same
 * command (planned on the read tables once they show every write made so far).
 */
@Injectable()
export class RecordCommands {
  constructor(
    private readonly metadata: MetadataService,
    private readonly keys: KeyGenerator,
    private readonly lookups: NestedLookupsFactory,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly consistency: ReadYourWrites,
    private readonly access: RecordAccess,
  ) {}

  async build(app: string, principal: Principal, edit: RecordEdit, headers: WriteHeaders): Promise<{ command: AppendCommand; entity: EntityDefinition }> {
    const entity = this.metadata.entity(app, edit.entity);
    // A key that cannot be one of its type never reaches the store (400).
    if (edit.id !== undefined) edit = { ...edit, id: recordKey(entity, edit.id) };
    // The role check, early; the event store's decide checks the permission's conditions.
    this.access.assertMayAct(app, principal, entity, ACTION[edit.op]);
    const base: AppendCommand = {
      v: 1,
      command_id: headers.commandId,
      parent: headers.parent ?? null,
      app,
      entity: edit.entity,
      entity_id: edit.id ?? '',
      op: edit.op,
      base_version: headers.baseVersion ?? null,
      branch_ts: headers.branchTs ?? null,
      submit_ts: headers.submitTs ?? null,
      device: headers.device ?? null,
      user: actorOf(principal),
      // Resending this request with its Idempotency-Key must find the first answer, even
      // though keys made here (and a nested write's plan) would differ the second time.
      request_hash: requestFingerprint({
        entity: edit.entity, id: edit.id ?? null, op: edit.op, data: edit.data ?? null, patch: edit.patch ?? null,
        base_version: headers.baseVersion ?? null, parent: headers.parent ?? null, branch_ts: headers.branchTs ?? null,
        submit_ts: headers.submitTs ?? null, device: headers.device ?? null,
      }),
    };
    const pk = entity.primary_key.field;
    const now = new Date();
    switch (edit.op) {
      case 'create': {
        const { fields, nested } = splitNestedBody(this.metadata.metadata(app), edit.entity, edit.data);
        // A device that made the key itself (a `_sync` create with `id`) keeps it: its later edits name that key.
        if (edit.id !== undefined) {
          const values = fields as Record<string, unknown>;
          if (values[pk] !== undefined && values[pk] !== null && String(values[pk]) !== String(edit.id)) {
            throw new TakesError('VALIDATION_FAILED', 'validation failed', [{ field: pk, rule: 'mismatch', message: `${pk} in data is not the edit's id` }]);
          }
          values[pk] = edit.id;
        }
        const result = validateRecordWrite(entity, 'create', fields, now);
        if (!result.ok) throw result.error;
        const data = result.value;
        if (data[pk] === undefined || data[pk] === null) {
          if (!entity.primary_key.generated) {
            throw new TakesError('VALIDATION_FAILED', 'validation failed', [{ field: pk, rule: 'required', message: `${pk} is required` }]);
          }
          data[pk] = await this.keys.next(app, entity);
        }
        const children = await this.nested(app, principal, headers, entity, { id: String(data[pk]), values: data, isNew: true }, nested, now);
        return { command: { ...base, entity_id: String(data[pk]), data, ...children }, entity };
      }
      case 'put': {
        const { fields, nested } = splitNestedBody(this.metadata.metadata(app), edit.entity, edit.data);
        // The key in the body, if any, must be the record's: a key never changes (422 immutable).
        const result = validateRecordWrite(entity, 'put', fields, now, { id: edit.id });
        if (!result.ok) throw result.error;
        const data = result.value;
        const children = await this.nested(app, principal, headers, entity, { id: edit.id!, values: { ...data, [pk]: edit.id }, isNew: false }, nested, now);
        return { command: { ...base, data, ...children }, entity };
      }
      case 'patch': {
        const ops = assertMessage<PatchOperation[]>(patchDocumentSchema, edit.patch, 'JSON Patch document');
        if (ops.some((op) => op.path === `/${pk}` || op.path.startsWith(`/${pk}/`) || op.path === '')) {
          throw new TakesError('VALIDATION_FAILED', 'validation failed', [{ field: pk, rule: 'immutable', message: `${pk} cannot change` }]);
        }
        return { command: { ...base, patch: ops }, entity };
      }
      default:
        return { command: base, entity };
    }
  }

  /**
   * A nested write's related records: planned once the read tables hold every write the
   * store had committed when the request came (so replace deletes what is there), each
   * checked against the caller's permissions. Links are part of updating the record.
   * A resent request (its Idempotency-Key already appended) is not planned again: the
   * rows it created would now look taken; the store answers it from the first result,
   * matching the request's fingerprint.
   */
  private async nested(
    app: string,
    principal: Principal,
    headers: WriteHeaders,
    entity: EntityDefinition,
    parent: { id: string; values: Record<string, unknown>; isNew: boolean },
    nested: NestedWrite[],
    now: Date,
  ): Promise<{ children?: ChildCommand[] }> {
    if (nested.length === 0) return {};
    await this.consistency.waitFor(await this.store.lastPosition());
    if (!headers.madeCommandId && (await this.store.command({ app, user_id: principal.userId, command_id: headers.commandId })).seen) return { children: [] };
    const children = await planNestedWrites(this.metadata.metadata(app), { entity, ...parent }, nested, this.lookups.forApp(app), now);
    for (const child of children) {
      if (!isLinkEntity(child.entity)) this.access.assertMayAct(app, principal, this.metadata.entity(app, child.entity), CHILD_ACTION[child.op]);
    }
    return { children };
  }
}

