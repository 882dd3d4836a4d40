/**
 * npm run takes -- <command> ...: operator commands that talk to a running Takes over NATS.
 *
 *   rebuild <app> [entity]   rebuild the app's read tables (or one entity's) from position 0
 *                            into new tables, swapped in when caught up; prints the progress
 *                            every second; exit code 0 when done, 1 when it failed.
 *
 * Settings: TAKES_NATS_URL (nats://127.0.0.1:4222) and TAKES_SUBJECT_PREFIX ('') as the services.
 */
import { connectNats, DEFAULT_NATS_URL, NatsProjectorRebuilds } from '@takes/bus';
import { APP_NAME, ENTITY_NAME, isTakesError, subjects, type ProjectorRebuilds, type RebuildStatus } from '@takes/contracts';

const USAGE = 'usage: npm run takes -- rebuild <app> [entity]\n';
const REQUEST_TIMEOUT_MS = 5_000;
const POLL_MS = 1_000;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line: `rebuild main [sites]: running (copying) 12,300 events/s, position 40,000/52,000 (76.9%), ETA 1s`. */
function progressLine(status: RebuildStatus): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const percent = status.last_position > 0 ? ` (${((100 * status.position) / status.last_position).toFixed(1)}%)` : '';
  const eta = status.eta_seconds === null ? '?' : duration(status.eta_seconds);
  return `rebuild ${status.app} [${status.entities.join(', ')}]: ${status.state} (${status.phase}) ${n(status.events_per_second)} events/s, position ${n(status.position)}/${n(status.last_position)}${percent}, ${n(status.events)} events, ETA ${eta}`;
}

/** A call to the projector; a refusal is printed as `CODE: message`. */
async function ask(call: () => Promise<RebuildStatus>): Promise<RebuildStatus> {
  try {
    return await call();
  } catch (error) {
    throw isTakesError(error) ? new Error(`${error.code}: ${error.message}`) : error;
  }
}

async function rebuild(rebuilds: ProjectorRebuilds, app: string, entity: string | undefined): Promise<number> {
  let status = await ask(() => rebuilds.start(entity === undefined ? { v: 1, app } : { v: 1, app, entity }));
  if (status.already_running) out(`a rebuild of ${app} [${status.entities.join(', ')}] was already running (started ${status.started_at}); following it`);
  out(progressLine(status));
  while (status.state === 'running') {
    await sleep(POLL_MS);
    status = await ask(() => rebuilds.status({ v: 1, app }));
    out(progressLine(status));
  }
  if (status.state === 'failed') {
    err(`rebuild of ${app} failed: ${status.error ?? 'unknown error'}; the old tables are still in place`);
    return 1;
  }
  const seconds = status.finished_at ? (Date.parse(status.finished_at) - Date.parse(status.started_at)) / 1000 : 0;
  out(`rebuild of ${app} [${status.entities.join(', ')}] done in ${seconds.toFixed(1)}s: ${status.events.toLocaleString('en-US')} events up to position ${status.position}; new tables swapped in`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, app, entity, ...extra] = argv;
  if (command !== 'rebuild' || !app || extra.length > 0) {
    err(USAGE.trimEnd());
    return 2;
  }
  if (!APP_NAME.test(app) || (entity !== undefined && (!ENTITY_NAME.test(entity) || entity === '_meta'))) {
    err(`not an app and entity name: ${app} ${entity ?? ''}`.trimEnd());
    return 2;
  }
  const url = process.env.TAKES_NATS_URL || DEFAULT_NATS_URL;
  const prefix = process.env.TAKES_SUBJECT_PREFIX ?? '';
  const nc = await connectNats({ url, name: 'takes-cli', connectTimeoutMs: 5_000 });
  try {
    const rebuilds = new NatsProjectorRebuilds(nc, {
      subjectPrefix: prefix,
      timeoutMs: REQUEST_TIMEOUT_MS,
      unavailableMessage: `the projector did not answer on ${subjects(prefix).rebuild()} (is it running, with the same TAKES_SUBJECT_PREFIX?)`,
    });
    return await rebuild(rebuilds, app, entity);
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    err(`takes: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
