/**
 * JSON values as the merge sees them: objects merge key by key, everything else
 * (scalars, null, arrays) is one whole value. `undefined` stands for "absent".
 */
export type Json = unknown;
export type JsonObject = Record<string, unknown>;

/** A location in a record as decoded JSON Pointer segments (`/extra/tags` → ['extra', 'tags']). */
export type Path = readonly string[];

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: segments → pointer, escaping `~` and `/`. The root is the empty pointer. */
export function toPointer(path: Path): string {
  return path.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** RFC 6901: pointer → segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a path, through objects only; undefined when absent. */
export function valueAt(doc: Json, path: Path): Json {
  let current: Json = doc;
  for (const segment of path) {
    if (!isPlainObject(current) || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Sets an own key, also one named `__proto__` (which stays plain data). */
export function setOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy through JSON, so a key named `__proto__` stays an own data key. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Deep equality of JSON values; key order does not matter, undefined equals only undefined. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as JsonObject;
  const right = b as JsonObject;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && jsonEqual(left[key], right[key]));
}

/** True when one path is the other or lies inside it (the two touch the same value). */
export function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One changed location: the path and the value it has afterwards (undefined: removed). */
export interface Change {
  path: string[];
  value: Json;
}

/**
 * The paths whose value differs between two documents, with the later value. Objects
 * are compared key by key; arrays and scalars are whole values (ARCHITECTURE.md:
 * arrays are whole values), so a changed array is one path.
 */
export function changedPaths(before: Json, after: Json, path: string[] = []): Change[] {
  return changedPathsShared(before, after, path).map((change) => ({ path: change.path, value: clone(change.value) }));
}

/**
 * `changedPaths` without the copies: each value is the one inside `after`, so the
 * caller reads it and never writes it. For the merge's inner loops, where documents
 * share their unchanged parts and copying every value would cost most of the time.
 */
export function changedPathsShared(before: Json, after: Json, path: string[] = []): Change[] {
  const out: Change[] = [];
  forEachChange(before, after, path, (at, value) => out.push({ path: at, value }));
  return out;
}

/**
 * Calls `visit` with each change changedPathsShared lists, in its order. `path` is where
 * the two values are; while the walk runs it pushes keys onto it and pops them, and a
 * change below it gets its own copy (a change at it gets `path` itself).
 */
export function forEachChange(before: Json, after: Json, path: string[], visit: (path: string[], value: Json) => void): void {
  collectChanges(before, after, path, path.length, visit);
}

function collectChanges(before: Json, after: Json, path: string[], top: number, visit: (path: string[], value: Json) => void): void {
  if (before === after) return;
  if (!isPlainObject(before) || !isPlainObject(after)) {
    if (!jsonEqual(before, after)) visit(path.length === top ? path : path.slice(), after);
    return;
  }
  // Two objects: key by key (equal objects leave nothing), before's keys first, then after's
  // new ones. (for-in with an own-key test walks the keys Object.keys lists, in its order,
  // without making an array per object: the walk visits many objects.)
  for (const key in before) {
    if (!Object.prototype.hasOwnProperty.call(before, key)) continue;
    const later = Object.prototype.hasOwnProperty.call(after, key) ? after[key] : undefined;
    if (before[key] === later) continue;
    path.push(key);
    collectChanges(before[key], later, path, top, visit);
    path.pop();
  }
  for (const key in after) {
    if (!Object.prototype.hasOwnProperty.call(after, key) || Object.prototype.hasOwnProperty.call(before, key) || after[key] === undefined) continue;
    path.push(key);
    collectChanges(undefined, after[key], path, top, visit);
    path.pop();
  }
}

/**
 * Writes `value` at `path` into `doc` (mutating it; undefined removes). Where an
 * ancestor is missing or not an object, the shallowest such ancestor is taken whole
 * from `source`, the document the change comes from, so the write always lands.
 */
export function writeAt(doc: JsonObject, path: Path, value: Json, source: Json): void {
  let parent = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const next = Object.prototype.hasOwnProperty.call(parent, path[i]) ? parent[path[i]] : undefined;
    if (!isPlainObject(next)) {
      const whole = valueAt(source, path.slice(0, i + 1));
      if (whole === undefined) delete parent[path[i]];
      else setOwn(parent, path[i], clone(whole));
      return;
    }
    parent = next;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete parent[last];
  else setOwn(parent, last, clone(value));
}

/** Top-level fields replaced by the given values (PUT semantics; undefined values are ignored). */
export function overlay(doc: JsonObject, values: JsonObject): JsonObject {
  const out = clone(doc);
  for (const [key, value] of Object.entries(values)) if (value !== undefined) setOwn(out, key, clone(value));
  return out;
}
