import { isPlainObject, setOwn, type Json, type JsonObject } from './json-document';
import { compareSubmitOrder, type SubmitOrder } from './submit-order';
import type { Claim } from './timeline';

interface Held {
  value: Json;
  rank: SubmitOrder;
}

/**
 * The record that a set of claims leaves on top of a base: at every path, the latest
 * claim wins. A claim on a path covers what lies inside it, unless a later claim
 * inside it wins there; then the path stays an object and only that inside part is
 * taken from the later claim. The result depends on the set of claims only, never on
 * the order they are listed in, so every arrival order of the same edits converges.
 * Values are the claims' and the base's own (not copies): read the result, never write it.
 */
export function resolveClaims(base: JsonObject, claims: Claim[]): JsonObject {
  const out = build(0, null, base, claims);
  return isPlainObject(out) ? out : {};
}

function build(depth: number, inherited: Held | null, base: Json, claims: Claim[]): Json {
  let top = inherited;
  let latestBelow: SubmitOrder | null = null;
  for (const claim of claims) {
    if (claim.path.length === depth) {
      if (!top || compareSubmitOrder(claim.rank, top.rank) > 0) top = claim;
    } else if (!latestBelow || compareSubmitOrder(claim.rank, latestBelow) > 0) {
      latestBelow = claim.rank;
    }
  }
  if (!latestBelow) return top ? top.value : base;
  if (top && compareSubmitOrder(top.rank, latestBelow) > 0) return top.value;

  const source = top ? top.value : base;
  const object = isPlainObject(source) ? source : {};
  // The claims inside, by their key at this depth.
  const groups = new Map<string, Claim[]>();
  for (const claim of claims) {
    if (claim.path.length === depth) continue;
    const key = claim.path[depth];
    const group = groups.get(key);
    if (group) group.push(claim);
    else groups.set(key, [claim]);
  }
  const keys = Object.keys(object);
  const added = [...groups.keys()].filter((key) => !Object.prototype.hasOwnProperty.call(object, key));
  if (added.length > 0) keys.push(...added.sort());
  const out: JsonObject = {};
  for (const key of keys) {
    const child = Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
    const group = groups.get(key);
    // No claim inside: the child is what the top (or the base) holds there.
    const value = group ? build(depth + 1, top ? { value: child, rank: top.rank } : null, child, group) : child;
    if (value === undefined) continue;
    if (key === '__proto__') setOwn(out, key, value);
    else out[key] = value;
  }
  return out;
}
