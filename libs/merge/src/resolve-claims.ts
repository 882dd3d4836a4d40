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
 */
export function resolveClaims(base: JsonObject, claims: Claim[]): JsonObject {
  const out = build(0, null, base, claims);
  return isPlainObject(out) ? out : {};
}

function build(depth: number, inherited: Held | null, base: Json, claims: Claim[]): Json {
  let top = inherited;
  const below: Claim[] = [];
  for (const claim of claims) {
    if (claim.path.length === depth) {
      if (!top || compareSubmitOrder(claim.rank, top.rank) > 0) top = { value: claim.value, rank: claim.rank };
    } else {
      below.push(claim);
    }
  }
  if (below.length === 0) return top ? top.value : base;
  const latestBelow = below.reduce((best, claim) => (compareSubmitOrder(claim.rank, best) > 0 ? claim.rank : best), below[0].rank);
  if (top && compareSubmitOrder(top.rank, latestBelow) > 0) return top.value;

  const source = top ? top.value : base;
  const object = isPlainObject(source) ? source : {};
  const groups = new Map<string, Claim[]>();
  for (const claim of below) {
    const key = claim.path[depth];
    const group = groups.get(key) ?? [];
    group.push(claim);
    groups.set(key, group);
  }
  const keys = [...Object.keys(object), ...[...groups.keys()].filter((key) => !Object.prototype.hasOwnProperty.call(object, key)).sort()];
  const out: JsonObject = {};
  for (const key of keys) {
    const child = Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
    const value = build(depth + 1, top ? { value: child, rank: top.rank } : null, child, groups.get(key) ?? []);
    if (value !== undefined) setOwn(out, key, value);
  }
  return out;
}
