/**
 * npm run bench:merge — in-process latency of @takes/merge's unzipTime: one device's
 * 100 offline edits (a parent chain made on an early version) merged one after another
 * onto a 1,000-event stream, as the event store's decide step does for each stale write.
 * Each merge's `since` holds every event after the device's base, the earlier merges'
 * results included. Beside it, in the same run, the blind write of the same edits (their
 * RFC 6902 operations applied to the head and diffed, what a fresh write costs), so the
 * ratio shows what merging adds. Also the sync storm of 50 devices × 20 offline edits on
 * one record (1,000 merges over a growing `since`).
 *
 * BENCH_ROUNDS (default 5) rounds of the 100 merges, each on a fresh copy of the stream,
 * after one warm-up round; the figures are over every measured call.
 */
import os from 'node:os';
import { compare } from 'fast-json-patch';
import type { PatchOperation } from '@takes/contracts';
import { applyOperations, evolve, replay } from '@takes/decide';
import { unzipTime, type IncomingEdit, type PriorEvent, type RecordVersion, type UnzipDecision } from '@takes/merge';
import { percentile, table } from './stats';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const STREAM_EVENTS = 1_000;
const OFFLINE_EDITS = 100;
const OFFLINE_BASE = 25;
const TARGET_MS = 5;
const T0 = Date.parse('2026-03-02T07:00:00.000Z');
const MINUTE = 60_000;

/** A seeded PRNG (mulberry32), so every run merges the same edits. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One record's stream in memory, written through unzipTime the way decide does. */
class Stream {
  readonly events: PriorEvent[] = [];
  readonly versions: RecordVersion[] = [{ version: 0, state: {}, deleted: false }];
  /** Commit time of each version (index = version). */
  readonly commits: number[] = [0];

  get head(): RecordVersion {
    return this.versions[this.versions.length - 1];
  }

  create(state: Record<string, unknown>, at: number): void {
    const patch = compare({}, state) as PatchOperation[];
    this.events.push({ id: 'evt-1', command_id: 'create', parent: null, type: 'created', version: 1, base_version: 0, patch, submitted: state, submit_ts: new Date(at).toISOString(), device: null });
    this.versions.push({ version: 1, state: applyOperations({}, patch), deleted: false });
    this.commits.push(at);
  }

  /** What unzipTime is given for an edit on `baseVersion` (the store loads the same rows). */
  input(edit: IncomingEdit, baseVersion: number, policy: 'field' = 'field') {
    return { base: this.versions[baseVersion], head: this.head, since: this.events.slice(baseVersion), edit, policy };
  }

  append(decision: UnzipDecision, edit: IncomingEdit, baseVersion: number, at: number): void {
    if (decision.kind !== 'append') throw new Error(`${decision.error.code}: ${decision.error.message}`);
    decision.events.forEach((event, i) => {
      const last = i === decision.events.length - 1;
      const state = last ? decision.next : evolve(this.head, event);
      this.events.push({
        id: `evt-${event.version}`,
        command_id: edit.command_id,
        parent: edit.parent ?? null,
        type: event.type,
        version: event.version,
        base_version: baseVersion,
        patch: event.patch,
        submitted: event.submitted,
        submit_ts: edit.submit_ts,
        device: edit.device,
      });
      this.versions.push({ ...state, version: event.version });
      this.commits.push(at);
    });
  }

  write(edit: IncomingEdit, baseVersion: number, at: number): UnzipDecision {
    const decision = unzipTime(this.input(edit, baseVersion));
    this.append(decision, edit, baseVersion, at);
    return decision;
  }

  copy(): Stream {
    const copy = new Stream();
    copy.events.splice(0, 1, ...this.events);
    copy.versions.splice(0, 1, ...this.versions);
    copy.commits.splice(0, 1, ...this.commits);
    return copy;
  }
}

const STATUSES = ['open', 'in_progress', 'blocked', 'done'];
const ITEMS = ['roof', 'walls', 'wiring', 'plumbing', 'doors', 'windows', 'stairs', 'exits'];
const WEATHER = ['dry', 'rain', 'snow', 'wind'];

function initialRecord(): Record<string, unknown> {
  return {
    title: 'Inspection of 12 Harbour Road',
    status: 'open',
    notes: '',
    tags: ['annual'],
    checklist: {
      items: Object.fromEntries(ITEMS.map((item) => [item, { state: 'unchecked', note: '' }])),
      meta: { weather: 'dry', inspector: 'unassigned' },
    },
  };
}

/** One edit's operations: a top-level field or a nested checklist entry. */
function operations(next: () => number, n: number, who: string): PatchOperation[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const roll = next();
  if (roll < 0.25) return [{ op: 'replace', path: '/status', value: pick(STATUSES) }];
  if (roll < 0.4) return [{ op: 'replace', path: '/notes', value: `${who} note ${n}: ${'checked '.repeat(1 + (n % 5))}` }];
  if (roll < 0.45) return [{ op: 'replace', path: '/title', value: `Inspection of ${n} Harbour Road` }];
  if (roll < 0.5) return [{ op: 'replace', path: '/tags', value: ['annual', pick(['urgent', 'follow-up', 'ok'])] }];
  if (roll < 0.6) return [{ op: 'replace', path: '/checklist/meta/weather', value: pick(WEATHER) }];
  const item = pick(ITEMS);
  const ops: PatchOperation[] = [{ op: 'replace', path: `/checklist/items/${item}/state`, value: pick(['ok', 'defect', 'n/a']) }];
  if (roll > 0.85) ops.push({ op: 'replace', path: `/checklist/items/${item}/note`, value: `${who} at ${n}` });
  return ops;
}

/**
 * The 1,000-event stream: created, then edits by 12 online devices, one a minute; most
 * on the head, one in five a little stale (a few versions back), so merged events with
 * contested paths are part of it too.
 */
function buildStream(): Stream {
  const next = random(42);
  const stream = new Stream();
  stream.create(initialRecord(), T0);
  for (let n = 2; stream.head.version < STREAM_EVENTS; n++) {
    const at = T0 + n * MINUTE;
    const device = `phone-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}`;
    const stale = next() < 0.2;
    const base = stale ? Math.max(1, stream.head.version - 1 - Math.floor(next() * 5)) : stream.head.version;
    const submit = stale ? stream.commits[base] + Math.floor(next() * (at - stream.commits[base])) : at;
    const edit: IncomingEdit = { command_id: `online-${n}`, device, submit_ts: new Date(submit).toISOString(), op: 'patch', patch: operations(next, n, device) };
    stream.write(edit, base, at);
  }
  return stream;
}

/** The offline device's chain: made on version OFFLINE_BASE, submitted over the whole period the stream covers. */
function offlineEdits(stream: Stream): IncomingEdit[] {
  const next = random(7);
  const from = stream.commits[OFFLINE_BASE];
  const to = stream.commits[stream.head.version];
  return Array.from({ length: OFFLINE_EDITS }, (_, k) => ({
    command_id: `tablet-${k}`,
    parent: k === 0 ? null : `tablet-${k - 1}`,
    device: 'tablet-offline',
    submit_ts: new Date(from + Math.floor(((k + next()) / OFFLINE_EDITS) * (to - from))).toISOString(),
    op: 'patch' as const,
    patch: operations(next, k, 'tablet'),
  }));
}

interface Round {
  merge: number[];
  blind: number[];
  outcomes: Record<string, number>;
  contested: number;
  sinceMax: number;
}

/** Merges the chain onto a copy of the stream, timing each unzipTime call and the blind write beside it. */
function round(stream: Stream, edits: IncomingEdit[]): Round {
  const copy = stream.copy();
  const out: Round = { merge: [], blind: [], outcomes: {}, contested: 0, sinceMax: 0 };
  let at = copy.commits[copy.head.version] + MINUTE;
  for (const edit of edits) {
    const head = copy.head;
    const input = copy.input(edit, OFFLINE_BASE);
    out.sinceMax = Math.max(out.sinceMax, input.since.length);

    let t = performance.now();
    const written = applyOperations(head.state, edit.patch ?? []);
    const patch = compare(head.state, written);
    out.blind.push(performance.now() - t);
    if (!Array.isArray(patch)) throw new Error('no patch');

    t = performance.now();
    const decision = unzipTime(input);
    out.merge.push(performance.now() - t);

    if (decision.kind !== 'append') throw new Error(`${decision.error.code}: ${decision.error.message}`);
    out.outcomes[decision.outcome] = (out.outcomes[decision.outcome] ?? 0) + 1;
    if (decision.contested.length > 0) out.contested += 1;
    copy.append(decision, edit, OFFLINE_BASE, at);
    at += 1_000;
  }
  const replayed = replay(copy.events.map((e) => ({ type: e.type, version: e.version, patch: e.patch })));
  if (JSON.stringify(replayed.state) !== JSON.stringify(copy.head.state)) throw new Error('the merged events do not replay to the merged record');
  return out;
}

/** 50 devices, each with 20 offline edits made on version 1 (3 string fields), synced one device after another. */
function syncStorm(): { seconds: number; latencies: number[]; sinceMax: number } {
  const next = random(99);
  const stream = new Stream();
  stream.create({ a: 'a0', b: 'b0', c: 'c0' }, T0);
  const edits: { device: string; edit: IncomingEdit }[] = [];
  for (let d = 0; d < 50; d++) {
    for (let k = 0; k < 20; k++) {
      const device = `device-${d}`;
      const field = ['a', 'b', 'c'][Math.floor(next() * 3)];
      edits.push({
        device,
        edit: {
          command_id: `${device}-${k}`,
          parent: k === 0 ? null : `${device}-${k - 1}`,
          device,
          submit_ts: new Date(T0 + Math.floor(next() * 48 * 3600_000)).toISOString(),
          op: 'put',
          data: { [field]: `${field}-${device}-${k}` },
        },
      });
    }
  }
  const latencies: number[] = [];
  let sinceMax = 0;
  let at = T0 + 49 * 3600_000;
  const started = performance.now();
  for (const { edit } of edits) {
    const input = stream.input(edit, 1);
    sinceMax = Math.max(sinceMax, input.since.length);
    const t = performance.now();
    const decision = unzipTime(input);
    latencies.push(performance.now() - t);
    stream.append(decision, edit, 1, (at += 1_000));
  }
  return { seconds: (performance.now() - started) / 1_000, latencies, sinceMax };
}

function figures(samples: number[]): { p50: string; p99: string; max: string } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50).toFixed(3), p99: percentile(sorted, 99).toFixed(3), max: sorted[sorted.length - 1].toFixed(3) };
}

function main(): void {
  const built = performance.now();
  const stream = buildStream();
  const buildSeconds = (performance.now() - built) / 1_000;
  const edits = offlineEdits(stream);

  round(stream, edits); // warm-up, not measured
  const rounds = Array.from({ length: ROUNDS }, () => round(stream, edits));
  const merge = rounds.flatMap((r) => r.merge);
  const blind = rounds.flatMap((r) => r.blind);
  const m = figures(merge);
  const b = figures(blind);
  const p99 = Number(m.p99);
  const storm = syncStorm();
  const s = figures(storm.latencies);

  const types = stream.events.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.type]: (acc[e.type] ?? 0) + 1 }), {});
  const first = rounds[0];
  const when = new Date().toISOString();
  const out = process.stdout;
  out.write(`\nmerge benchmark — ${when}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
  out.write(`stream: ${stream.events.length} events (${Object.entries(types).map(([t, n]) => `${n} ${t}`).join(', ')}), 12 online devices, built in ${buildSeconds.toFixed(2)} s\n`);
  out.write(`offline chain: ${OFFLINE_EDITS} edits of one device made on version ${OFFLINE_BASE}, merged one after another (since ${stream.head.version - OFFLINE_BASE}..${first.sinceMax} events)\n`);
  out.write(`outcomes per round: ${Object.entries(first.outcomes).map(([o, n]) => `${n} ${o}`).join(', ')}; ${first.contested} with contested paths\n`);
  out.write(`${ROUNDS} rounds after a warm-up, ${merge.length} calls timed each side, in-process\n\n`);
  out.write(
    `${table([
      { side: 'blind write (apply + diff)', calls: blind.length, 'p50 ms': b.p50, 'p99 ms': b.p99, 'max ms': b.max, 'ratio p50': '' },
      { side: 'unzipTime (field merge)', calls: merge.length, 'p50 ms': m.p50, 'p99 ms': m.p99, 'max ms': m.max, 'ratio p50': (Number(m.p50) / Number(b.p50)).toFixed(1) },
    ])}\n`,
  );
  out.write(`\ntarget: p99 ≤ ${TARGET_MS} ms per merge over a 1,000-event since — ${p99 <= TARGET_MS ? 'met' : 'NOT met'} (p99 ${m.p99} ms)\n`);
  out.write(
    `\nsync storm: 50 devices × 20 offline edits on version 1 (3 fields), 1,000 merges over a since of up to ${storm.sinceMax} events: ` +
      `${storm.seconds.toFixed(2)} s in all, p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms per merge\n`,
  );
}

main();
