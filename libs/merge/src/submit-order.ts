/**
 * The order in which edits were made, never the order they arrived: submit_ts (already
 * clamped), then device, then command id: a total order, the same on every replica.
 * `depth` lifts an edit above the edits in its causal past whose clocks ran ahead of its
 * own (causality beats clocks): such an edit ranks just after the highest of them.
 */
export interface SubmitOrder {
  ts: number;
  device: string;
  command: string;
  depth: number;
}

export function submitOrderOf(edit: { submit_ts: string; device: string | null; command_id: string }): SubmitOrder {
  const ts = Date.parse(edit.submit_ts);
  return { ts: Number.isFinite(ts) ? ts : 0, device: edit.device ?? '', command: edit.command_id, depth: 0 };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a was made before b, positive after, 0 only for the same edit. */
export function compareSubmitOrder(a: SubmitOrder, b: SubmitOrder): number {
  return a.ts - b.ts || compareStrings(a.device, b.device) || compareStrings(a.command, b.command) || a.depth - b.depth;
}

export function laterOf(a: SubmitOrder, b: SubmitOrder): SubmitOrder {
  return compareSubmitOrder(a, b) >= 0 ? a : b;
}

/** An edit's rank given the highest rank in its causal past: its own, or just above that one. */
export function liftAbove(own: SubmitOrder, past: SubmitOrder | null): SubmitOrder {
  if (!past || compareSubmitOrder(own, past) > 0) return own;
  return { ...past, depth: past.depth + 1 };
}
