import { MAX_CHILDREN, TakesError, type ChildCommand, type ErrorDetail } from '@takes/contracts';
import { relationsFrom, type AppMetadata } from './app-metadata';
import { fieldOf, type EntityDefinition } from './entity-definition';
import { normalizeFieldValue } from './field-values';
import { linkEntityDefinition, linkEntityName, linkId, linkState } from './link-entity';
import { isJsonObject } from './parsed';
import { validateRecordWrite } from './record-validation';
import { WRITE_MODES, type RelationDefinition, type WriteMode } from './relation-definition';

/** How deep relation keys may nest (invoice → items → tax_lines is depth 2). */
export const MAX_NESTED_DEPTH = 5;

/** A body's relation key: a nested write through that relation. */
export interface NestedWrite {
  relation: RelationDefinition;
  value: unknown;
}

/** A body split into the entity's own values and its relation keys. */
export interface SplitBody {
  /** The body without its relation keys (the body itself when it is not a JSON object). */
  fields: unknown;
  nested: NestedWrite[];
}

/** How a record stands in the read tables: live, or deleted (absent records are left out). */
export type RecordStanding = 'live' | 'deleted';

/** What planning a nested write reads: the current records, from the read tables. */
export interface NestedLookups {
  /** How each of these records of `entity` stands; absent ones are not in the map. */
  records(entity: EntityDefinition, ids: string[]): Promise<Map<string, RecordStanding>>;
  /**
   * The keys of a parent's live related records through a relation: the children's
   * primary keys (one_to_one, one_to_many) or the linked targets' keys (many_to_many).
   */
  related(relation: RelationDefinition, parentKey: unknown): Promise<string[]>;
  /** One live record's state (null when there is none). */
  record(entity: EntityDefinition, id: string): Promise<Record<string, unknown> | null>;
  /** A primary key for a new record. */
  newKey(entity: EntityDefinition): Promise<string | number>;
}

/** Splits a body's relation keys (nested writes) from its fields, by the entity's relations. */
export function splitNestedBody(meta: AppMetadata, entity: string, body: unknown): SplitBody {
  if (!isJsonObject(body)) return { fields: body, nested: [] };
  const relations = new Map(relationsFrom(meta, entity).map((r) => [r.name, r]));
  const fields: Record<string, unknown> = {};
  const nested: NestedWrite[] = [];
  for (const [key, value] of Object.entries(body)) {
    const relation = relations.get(key);
    if (relation) nested.push({ relation, value });
    else fields[key] = value;
  }
  return { fields, nested };
}

/** The record a relation key hangs from. */
interface ParentRecord {
  entity: EntityDefinition;
  /** Its primary key as text. */
  id: string;
  /** The values known for it: the body's, or the stored ones for an existing record. */
  values: Record<string, unknown>;
  /** Created by this write: it has no related records yet. */
  isNew: boolean;
}

/** One relation key of one record, checked and resolved: what writing its rows needs. */
interface RelationWrite {
  parent: ParentRecord;
  relation: RelationDefinition;
  target: EntityDefinition;
  parentKey: unknown;
  mode: WriteMode;
  rows: Record<string, unknown>[];
  /** The keys of the parent's live related records (none for a new parent). */
  current: Set<string>;
  /** The relation key's path in the body. */
  where: string;
  depth: number;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * A key value in the one spelling the read tables give back (`::text`): a uuid in lower
 * case, an integer without sign or leading zeros. A value that does not fit its field's
 * type is left as it is (its row's own checks report it).
 */
function canonical(entity: EntityDefinition, field: string, value: unknown): unknown {
  const definition = fieldOf(entity, field);
  if (!definition || !present(value)) return value;
  const checked = normalizeFieldValue(definition, value);
  return checked.ok ? checked.value : value;
}

/**
 * Plans Rocket's nested writes (docs/nested-writes.md) as writes to related records, all
 * to be appended with the parent in one command:
 *
 * - `_write_mode` (default: the relation's `write_mode`): `diff` creates rows without a
 *   known key and updates the parent's rows it names; `replace` does the same and deletes
 *   the parent's rows it does not name; `append` only creates (rows it names are left as
 *   they are). A row with `"_delete": true` is deleted (diff, replace).
 * - A row with a primary key that no record has yet is created with that key (offline
 *   clients make their own keys); one that belongs to another parent, or was deleted, is
 *   refused.
 * - The foreign key (`target_key`) of every row is set to the parent's `source_key`, at
 *   every depth; a row that gives another value is refused.
 * - many_to_many rows name the target by `target_key`; linking and unlinking write the
 *   relation's link records (`_link_<relation>`), never the target.
 *
 * Every problem is collected: one 422 VALIDATION_FAILED, each detail's field the row's
 * path in the body (`items[2].quantity`). The relation keys of a row that is refused are
 * not looked at until the row itself is right.
 */
export async function planNestedWrites(
  meta: AppMetadata,
  parent: ParentRecord,
  nested: NestedWrite[],
  lookups: NestedLookups,
  now: Date,
): Promise<ChildCommand[]> {
  const planner = new NestedPlanner(meta, lookups, now);
  for (const write of nested) await planner.relation(parent, write, '', 1);
  planner.full();
  if (planner.details.length > 0) throw new TakesError('VALIDATION_FAILED', 'validation failed', planner.details);
  return planner.children;
}

class NestedPlanner {
  readonly children: ChildCommand[] = [];
  readonly details: ErrorDetail[] = [];
  private readonly touched = new Set<string>();

  constructor(
    private readonly meta: AppMetadata,
    private readonly lookups: NestedLookups,
    private readonly now: Date,
  ) {}

  /** Past the limit of records one write may touch: planning stops there (no key is made for rows that would be refused anyway). */
  full(): boolean {
    if (this.children.length <= MAX_CHILDREN) return false;
    if (!this.details.some((d) => d.rule === 'max_children')) {
      this.details.push({ rule: 'max_children', message: `a nested write may touch at most ${MAX_CHILDREN} related records` });
    }
    return true;
  }

  private problem(field: string, rule: string, message: string): void {
    this.details.push({ field, rule, message });
  }

  private push(child: ChildCommand): void {
    const key = JSON.stringify([child.entity, child.entity_id]);
    if (this.touched.has(key)) {
      this.problem(child.path ?? '', 'duplicate', `${child.entity} ${child.entity_id} is written twice in one nested write`);
      return;
    }
    this.touched.add(key);
    this.children.push(child);
  }

  async relation(parent: ParentRecord, write: NestedWrite, path: string, depth: number): Promise<void> {
    const { relation, value } = write;
    const where = path ? `${path}.${relation.name}` : relation.name;
    if (depth > MAX_NESTED_DEPTH) return this.problem(where, 'max_depth', `nested writes go at most ${MAX_NESTED_DEPTH} levels deep`);
    if (!isJsonObject(value) || !Array.isArray(value.data) || Object.keys(value).some((k) => k !== 'data' && k !== '_write_mode')) {
      return this.problem(where, 'nested_write', `${where} must be {"_write_mode": "diff" | "replace" | "append", "data": [...]}`);
    }
    const mode = (value._write_mode ?? relation.write_mode) as WriteMode;
    if (!(WRITE_MODES as readonly unknown[]).includes(mode)) {
      return this.problem(`${where}._write_mode`, 'enum', `_write_mode must be one of: ${WRITE_MODES.join(', ')}`);
    }
    const target = this.meta.entities.get(relation.target);
    if (!target) return this.problem(where, 'unknown', `entity ${relation.target} of relation ${relation.name} is not defined`);
    const parentKey = await this.keyOf(parent, relation.source_key);
    if (!present(parentKey)) {
      return this.problem(where, 'required', `${parent.entity.name}.${relation.source_key} is needed to write ${relation.name}`);
    }
    const rows = value.data as unknown[];
    const bad = rows.findIndex((row) => !isJsonObject(row));
    if (bad >= 0) return this.problem(`${where}[${bad}]`, 'type', 'each row must be a JSON object');
    const current = parent.isNew ? new Set<string>() : new Set(await this.lookups.related(relation, parentKey));
    const resolved: RelationWrite = { parent, relation, target, parentKey, mode, rows: rows as Record<string, unknown>[], current, where, depth };
    if (relation.type === 'many_to_many') await this.links(resolved);
    else await this.rows(resolved);
  }

  /** The parent's value of the relation's source key: from the values known, else from its stored record. */
  private async keyOf(parent: ParentRecord, field: string): Promise<unknown> {
    if (field === parent.entity.primary_key.field) return canonical(parent.entity, field, parent.values[field] ?? parent.id);
    if (parent.values[field] !== undefined || parent.isNew) return canonical(parent.entity, field, parent.values[field]);
    const stored = await this.lookups.record(parent.entity, parent.id);
    return canonical(parent.entity, field, stored?.[field]);
  }

  /** one_to_one and one_to_many: rows of the target entity, their foreign key set to the parent's key. */
  private async rows(write: RelationWrite): Promise<void> {
    const { relation, target, parentKey, mode, rows, current, where, depth } = write;
    const pk = target.primary_key.field;
    const keyOfRow = (row: Record<string, unknown>) => (present(row[pk]) ? String(canonical(target, pk, row[pk])) : undefined);
    const elsewhere = rows.map(keyOfRow).filter((k): k is string => k !== undefined && !current.has(k));
    const standing = elsewhere.length > 0 ? await this.lookups.records(target, [...new Set(elsewhere)]) : new Map<string, RecordStanding>();
    const named = new Set<string>();
    const live = new Set(current);
    const targetRelations = new Set(relationsFrom(this.meta, target.name).map((r) => r.name));

    for (const [i, row] of rows.entries()) {
      if (this.full()) return;
      const at = `${where}[${i}]`;
      const { _delete: remove, ...rest } = row;
      const key = keyOfRow(rest);
      if (key !== undefined) named.add(key);
      if (remove !== undefined && typeof remove !== 'boolean') {
        this.problem(`${at}._delete`, 'type', '_delete must be true or false');
        continue;
      }
      if (remove === true) {
        this.deleteRow(write, key, standing, at);
        if (key !== undefined) live.delete(key);
        continue;
      }
      const split = splitNestedBody(this.meta, target.name, rest);
      const fields = split.fields as Record<string, unknown>;
      const givenFk = fields[relation.target_key];
      if (present(givenFk) && String(canonical(target, relation.target_key, givenFk)) !== String(parentKey)) {
        this.problem(`${at}.${relation.target_key}`, 'foreign_key', `${relation.target_key} is set from the parent (${String(parentKey)}); this row gives ${String(givenFk)}`);
        continue;
      }
      let child: ParentRecord;
      if (key !== undefined && current.has(key)) {
        if (mode === 'append') continue; // append leaves existing rows as they are
        const { [relation.target_key]: _fk, ...changes } = fields;
        const checked = validateRecordWrite(target, 'put', changes, this.now, { id: key });
        if (!checked.ok) {
          this.invalid(at, checked.error);
          continue;
        }
        this.push({ entity: target.name, entity_id: key, op: 'put', data: checked.value, path: at });
        child = { entity: target, id: key, values: { ...checked.value, [pk]: rest[pk] }, isNew: false };
      } else {
        if (key !== undefined && standing.get(key) === 'live') {
          this.problem(at, 'not_a_child', `${target.name} ${key} is not a ${relation.name} row of this record`);
          continue;
        }
        if (key !== undefined && standing.get(key) === 'deleted') {
          this.problem(at, 'deleted', `${target.name} ${key} was deleted; restore it first`);
          continue;
        }
        const checked = validateRecordWrite(target, 'create', { ...fields, [relation.target_key]: parentKey }, this.now);
        if (!checked.ok) {
          this.invalid(at, checked.error);
          continue;
        }
        const data = checked.value;
        if (!present(data[pk])) {
          if (!target.primary_key.generated) {
            this.problem(`${at}.${pk}`, 'required', `${pk} is required`);
            continue;
          }
          data[pk] = await this.lookups.newKey(target);
        }
        this.push({ entity: target.name, entity_id: String(data[pk]), op: 'create', data, path: at });
        child = { entity: target, id: String(data[pk]), values: data, isNew: true };
      }
      live.add(child.id);
      for (const nested of split.nested) {
        if (targetRelations.has(nested.relation.name)) await this.relation(child, nested, at, depth + 1);
      }
    }

    if (mode === 'replace') {
      for (const key of current) {
        if (named.has(key)) continue;
        this.push({ entity: target.name, entity_id: key, op: 'delete', path: where });
        live.delete(key);
      }
    }
    if (relation.type === 'one_to_one' && live.size > 1) {
      this.problem(where, 'one_to_one', `${relation.name} is one_to_one: the record would have ${live.size} of them`);
    }
  }

  private deleteRow(write: RelationWrite, key: string | undefined, standing: Map<string, RecordStanding>, at: string): void {
    const { target, mode, current, relation } = write;
    if (mode === 'append') return this.problem(`${at}._delete`, 'write_mode', 'append mode never deletes; use diff or replace');
    const pk = target.primary_key.field;
    if (key === undefined) return this.problem(`${at}.${pk}`, 'required', `${pk} is required to delete a row`);
    if (current.has(key)) {
      this.push({ entity: target.name, entity_id: key, op: 'delete', path: at });
      return;
    }
    if (standing.get(key) === 'deleted') return; // already deleted: a resent edit changes nothing
    this.problem(at, 'not_found', `${target.name} ${key} is not a ${relation.name} row of this record`);
  }

  /** many_to_many: link and unlink targets by writing the relation's link records. */
  private async links(write: RelationWrite): Promise<void> {
    const { parent, relation, target, parentKey, mode, rows, current, where } = write;
    const linkEntity = linkEntityDefinition(relation, parent.entity, target);
    const keyField = fieldOf(target, relation.target_key);
    if (!linkEntity || !keyField) return this.problem(where, 'unknown', `relation ${relation.name} has no join table to write`);
    const wanted = new Map<string, unknown>();
    const unlinked = new Set<string>();
    for (const [i, row] of rows.entries()) {
      const at = `${where}[${i}]`;
      const raw = row[relation.target_key];
      if (!present(raw)) {
        this.problem(`${at}.${relation.target_key}`, 'required', `${relation.target_key} names the ${target.name} to link`);
        continue;
      }
      const checked = normalizeFieldValue(keyField, raw);
      if (!checked.ok) {
        this.problem(`${at}.${relation.target_key}`, checked.rule, `${relation.target_key} ${checked.message}`);
        continue;
      }
      const key = String(checked.value);
      if (row._delete !== undefined && typeof row._delete !== 'boolean') {
        this.problem(`${at}._delete`, 'type', '_delete must be true or false');
        continue;
      }
      if (wanted.has(key) || unlinked.has(key)) {
        this.problem(at, 'duplicate', `${target.name} ${key} is named twice in ${relation.name}`);
        continue;
      }
      if (row._delete === true) {
        if (mode === 'append') this.problem(`${at}._delete`, 'write_mode', 'append mode never unlinks; use diff or replace');
        else unlinked.add(key);
      } else wanted.set(key, checked.value);
    }
    const toLink = [...wanted.keys()].filter((k) => !current.has(k));
    if (relation.target_key === target.primary_key.field && toLink.length > 0) {
      const targets = await this.lookups.records(target, toLink);
      for (const k of toLink) {
        if (targets.get(k) !== 'live') this.problem(where, 'not_found', `${target.name} ${k} does not exist`);
      }
    }
    const links = toLink.length > 0 ? await this.lookups.records(linkEntity, toLink.map((k) => linkId(parentKey, k))) : new Map<string, RecordStanding>();
    const entity = linkEntityName(relation.name);
    for (const k of toLink) {
      const id = linkId(parentKey, k);
      const standing = links.get(id);
      if (standing === 'live') continue;
      if (standing === 'deleted') this.push({ entity, entity_id: id, op: 'restore', path: where });
      else this.push({ entity, entity_id: id, op: 'create', data: linkState(relation, parentKey, wanted.get(k)), path: where });
    }
    const toUnlink = [...current].filter((k) => unlinked.has(k) || (mode === 'replace' && !wanted.has(k)));
    for (const k of toUnlink) this.push({ entity, entity_id: linkId(parentKey, k), op: 'delete', path: where });
  }

  /** A row's validation problems, each under the row's path. */
  private invalid(at: string, error: TakesError): void {
    const details = error.details && Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [];
    if (details.length === 0) this.problem(at, 'invalid', error.message);
    for (const d of details) this.details.push({ ...d, field: d.field ? `${at}.${d.field}` : at });
  }
}
