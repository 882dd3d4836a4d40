/** Latency figures of one run. */
export interface RunFigures {
  ops: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `workers` loops of `op` for `seconds` and measures each call's latency (ms).
 * Every loop is closed: it sends its next operation when the previous one answered.
 */
export async function runClosedLoop(workers: number, seconds: number, op: (worker: number, i: number) => Promise<boolean>): Promise<RunFigures> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1_000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i += 1) {
        const t = performance.now();
        const ok = await op(worker, i);
        latencies.push(performance.now() - t);
        if (!ok) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length - errors,
    seconds: elapsed,
    perSecond: (latencies.length - errors) / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

export function table(rows: Record<string, string | number>[]): string {
  const headers = Object.keys(rows[0]);
  const cells = [headers, ...rows.map((row) => headers.map((h) => String(row[h])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}
