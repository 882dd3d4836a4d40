import { Injectable } from '@nestjs/common';
import {
  TakesError,
  assertMessage,
  patchOperationSchema,
  type AppendCommand,
  type CommandOp,
  type PatchOperation,
} from '@takes/contracts';
import { validateRecordWrite, type EntityDefinition } from '@takes/metadata';
import type { Principal } from '../http/request-context';
import { MetadataService } from '../metadata/metadata.service';
import { KeyGenerator } from './key-generator';
import { assertAllowed, type RecordAction } from './permissions';
import type { WriteHeaders } from './write-headers';

/** One edit of one record, as HTTP routes and `_sync` both describe it. */
export interface RecordEdit {
  entity: string;
  id?: string;
  op: Exclude<CommandOp, 'define' | 'remove' | 'resolve'>;
  data?: unknown;
  patch?: unknown;
}

const ACTION: Record<RecordEdit['op'], RecordAction> = { create: 'create', put: 'update', patch: 'update', delete: 'delete', restore: 'update' };

const patchDocumentSchema = { type: 'array', items: patchOperationSchema, maxItems: 10_000 } as const;

/**
 * Turns an edit into an event-store command: checks the entity, the caller's permission
 * and the body against the entity's fields (the same pure validation the event store's
 * decide step runs), and fills the primary key of a create.
 */
@Injectable()
export class RecordCommands {
  constructor(
    private readonly metadata: MetadataService,
    private readonly keys: KeyGenerator,
  ) {}

  async build(app: string, principal: Principal, edit: RecordEdit, headers: WriteHeaders): Promise<{ command: AppendCommand; entity: EntityDefinition }> {
    const entity = this.metadata.entity(app, edit.entity);
    assertAllowed(principal, edit.entity, ACTION[edit.op]);
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
      user: { id: principal.userId, roles: principal.roles },
    };
    const pk = entity.primary_key.field;
    switch (edit.op) {
      case 'create': {
        const result = validateRecordWrite(entity, 'create', edit.data, new Date());
        if (!result.ok) throw result.error;
        const data = result.value;
        if (data[pk] === undefined || data[pk] === null) {
          if (!entity.primary_key.generated) {
            throw new TakesError('VALIDATION_FAILED', 'validation failed', [{ field: pk, rule: 'required', message: `${pk} is required` }]);
          }
          data[pk] = await this.keys.next(app, entity);
        }
        return { command: { ...base, entity_id: String(data[pk]), data }, entity };
      }
      case 'put': {
        const result = validateRecordWrite(entity, 'put', edit.data, new Date());
        if (!result.ok) throw result.error;
        const data = result.value;
        if (data[pk] !== undefined && String(data[pk]) !== edit.id) {
          throw new TakesError('VALIDATION_FAILED', 'validation failed', [{ field: pk, rule: 'immutable', message: `${pk} cannot change` }]);
        }
        return { command: { ...base, data }, entity };
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
}

