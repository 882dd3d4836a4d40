import { applyOperation, JsonPatchError, type Operation } from 'fast-json-patch';

/**
 * Applies a patch as fast-json-patch's `applyPatch(doc, ops, false, true)` does, but
 * leaves `doc` as it was: before each operation, the containers on the way to the place
 * it writes are copied (path copying), and the result shares every other subtree with
 * `doc`. A document per version then costs what its patch touches, not a deep copy of
 * the record. Throws what applyPatch throws, and on a move of the whole document into
 * a place inside it (from ""), which would leave a document that contains itself: no
 * JSON. Neither document may be written to later: they share their parts (and the
 * values of `ops`, as applyPatch's result does). `segments` caches split pointers: pass
 * the same map to every call over one stream, whose patches touch the same paths again.
 */
export function applyPatchShared(doc: unknown, ops: readonly Operation[], segments = new Map<string, string[]>()): unknown {
  // The containers this patch copied, which it may write into again; none to track when
  // one operation walks one path.
  const fresh = ops.length === 1 && ops[0].op !== 'move' ? null : new Set<unknown>();
  let current = doc;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const plain = plainObjectWrite(current, op, fresh, segments);
    if (plain !== undefined) {
      current = plain;
      continue;
    }
    if (op.op === 'move' && op.from === '' && op.path !== '') throw new JsonPatchError('cannot move the document into itself', 'OPERATION_FROM_UNRESOLVABLE', i, op, current);
    current = ownPath(current, op.path, fresh);
    if (op.op === 'move') current = ownPath(current, op.from, fresh);
    current = applyOperation(current, op, false, true, true, i).newDocument;
  }
  return current;
}

type Container = Record<string | number, unknown>;

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isContainer(value) && !Array.isArray(value);
}

/** The container itself if this patch made it, else a shallow copy (which this patch now owns). */
function owned<T extends Container>(container: T, fresh: Set<unknown> | null): T {
  if (fresh?.has(container)) return container;
  const copy = (Array.isArray(container) ? container.slice() : { ...container }) as T;
  fresh?.add(copy);
  return copy;
}

/**
 * The usual operation, done directly: add, replace or remove of a key whose parent and
 * every container above it are the document's own plain objects, on a path with no
 * escapes and no key fast-json-patch treats specially. There fast-json-patch assigns or
 * deletes the key and nothing else, so this does the same on copies. Returns the new
 * root, or undefined for any other operation (left to fast-json-patch).
 */
function plainObjectWrite(doc: unknown, op: Operation, fresh: Set<unknown> | null, segments: Map<string, string[]>): unknown {
  if ((op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove') || typeof op.path !== 'string') return undefined;
  if (!op.path.startsWith('/') || op.path.includes('~') || !isPlainObject(doc)) return undefined;
  let keys = segments.get(op.path);
  if (!keys) {
    keys = op.path.split('/');
    segments.set(op.path, keys);
  }
  for (let t = 1; t < keys.length; t++) if (keys[t] === '__proto__' || keys[t] === 'prototype') return undefined;
  let parent: Record<string, unknown> = doc;
  for (let t = 1; t < keys.length - 1; t++) {
    if (!Object.prototype.hasOwnProperty.call(parent, keys[t]) || !isPlainObject(parent[keys[t]])) return undefined;
    parent = parent[keys[t]] as Record<string, unknown>;
  }
  // The walk holds: copy the same containers and write into the copies.
  const root = owned(doc, fresh);
  parent = root;
  for (let t = 1; t < keys.length - 1; t++) {
    const copy = owned(parent[keys[t]] as Record<string, unknown>, fresh);
    parent[keys[t]] = copy;
    parent = copy;
  }
  const key = keys[keys.length - 1];
  if (op.op === 'remove') delete parent[key];
  else parent[key] = op.value;
  return root;
}

/** fast-json-patch's test for an array index: digits only. */
function isDigits(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/**
 * Makes the root and every container fast-json-patch walks through for `pointer` owned
 * by this patch (copied once), so the operation writes into copies only. It walks the
 * way fast-json-patch does (same key decoding, same array indices) and stops where that
 * walk leaves the document's own containers or would throw: no write can reach a shared
 * container past that point.
 */
function ownPath(doc: unknown, pointer: string | undefined, fresh: Set<unknown> | null): unknown {
  if (pointer === '' || !isContainer(doc)) return doc;
  const root = owned(doc, fresh);
  if (typeof pointer !== 'string') return root;
  const keys = pointer.split('/');
  let parent: Container = root;
  // fast-json-patch steps through keys[1] .. keys[len - 2] and writes into the last container.
  for (let t = 1; t < keys.length - 1; t++) {
    const segment = keys[t].includes('~') ? keys[t].replace(/~1/g, '/').replace(/~0/g, '~') : keys[t];
    if (segment === '__proto__' || (segment === 'prototype' && keys[t - 1] === 'constructor')) return root;
    const key: string | number = Array.isArray(parent) ? (segment === '-' ? parent.length : isDigits(segment) ? ~~segment : segment) : segment;
    if (!Object.prototype.hasOwnProperty.call(parent, key)) return root;
    const child = parent[key];
    if (!isContainer(child)) return root;
    const copy = owned(child, fresh);
    if (copy !== child) parent[key] = copy;
    parent = copy;
  }
  return root;
}
