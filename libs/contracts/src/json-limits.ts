/**
 * Bounds on client JSON, checked where it enters a service (the gateway's bodies, every
 * NATS request), so that what is behind them never meets a value it cannot handle: every
 * recursive walk (canonical JSON of the command fingerprint, patches, merges, JSON.stringify)
 * stays far from the stack's limit, and PostgreSQL never meets text it refuses.
 */

/**
 * How deep a request body may nest (objects and arrays). Far more than any record,
 * nested write or JSON Patch needs.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How deep a NATS request may nest: a command wraps a body (command → data → the body's
 * values; children → child → data), so a body at MAX_JSON_DEPTH fits with room to spare.
 */
export const MAX_MESSAGE_DEPTH = 2 * MAX_JSON_DEPTH;

/** How deep `value` nests (a scalar is 0), counted without recursion; stops once past `limit`. */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const inner = depth + 1;
    if (inner > deepest) deepest = inner;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, inner]);
  }
  return deepest;
}

/** A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True for text PostgreSQL can store as it is: no NUL character (text and jsonb refuse it)
 * and no lone surrogate (not Unicode: jsonb refuses its escape, and UTF-8 would turn it
 * into U+FFFD, so the value would not be stored intact).
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** What an unstorable string holds, for an error message. */
export function unstorableReason(text: string): string | undefined {
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  return found[0] === '\u0000' ? 'a NUL character' : 'a lone surrogate (not Unicode text)';
}

/**
 * The first string (object keys included) in `value` that is not storable text, with
 * where it is (a JSON Pointer), found without recursion; undefined when there is none.
 */
export function findUnstorableText(value: unknown): { pointer: string; reason: string } | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [node, pointer] = stack.pop()!;
    if (typeof node === 'string') {
      const reason = unstorableReason(node);
      if (reason) return { pointer, reason };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) stack.push([node[i], `${pointer}/${i}`]);
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      const path = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const reason = unstorableReason(key);
      if (reason) return { pointer: path, reason: `a key with ${reason}` };
      stack.push([child, path]);
    }
  }
  return undefined;
}
