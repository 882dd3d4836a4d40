import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTakes, type TakesProcesses } from '@takes/testing';

/** The README's examples, run as written (bash, curl, jq) against a started stack, so that they cannot drift. */
const README = readFileSync(path.join(__dirname, '../../../../README.md'), 'utf8');
const SECTIONS = ['## A first session', '## Permissions', '## Rules and state machines', '## Webhooks', '## Workflows'];

/** The first ```sh block after a heading. */
function shellBlock(heading: string): string {
  const at = README.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no section ${heading}`);
  const open = README.indexOf('```sh\n', at);
  return README.slice(open + 6, README.indexOf('\n```', open + 6));
}

/** The statuses a block says its commands get, in order: a comment `# 403 …` after a command. */
function expectedRefusals(block: string): number[] {
  return [...block.matchAll(/#\s*(\d{3})\b/g)].map((m) => Number(m[1])).filter((status) => status >= 300);
}

describe("the README's examples, run as written", () => {
  let takes: TakesProcesses;
  beforeAll(async () => {
    takes = await startTakes('readme_examples', { TAKES_RATE_LIMIT: '100000' });
  });
  afterAll(() => takes.close());

  it('every command answers 2xx, except those the README marks with the status they get', () => {
    const blocks = SECTIONS.map(shellBlock);
    const host = new URL(takes.baseUrl).host;
    // curl writes each answer's status on stderr, where the test reads them in order.
    const script = [
      'set -euo pipefail',
      'curl() { command curl --write-out "%{stderr}STATUS %{http_code}\\n" "$@"; }',
      ...blocks,
      'echo "ID=$ID"',
    ].join('\n').replaceAll('localhost:8080', host);
    const run = spawnSync('bash', ['-c', script], { cwd: mkdtempSync(path.join(tmpdir(), 'takes-readme-')), encoding: 'utf8', timeout: 120_000 });
    const statuses = [...run.stderr.matchAll(/^STATUS (\d{3})$/gm)].map((m) => Number(m[1]));
    expect({ exit: run.status, errors: run.stderr.split('\n').filter((line) => line && !line.startsWith('STATUS ')) }).toEqual({ exit: 0, errors: [] });
    expect(statuses.length).toBeGreaterThan(25);
    expect(statuses.filter((status) => status >= 300)).toEqual(blocks.flatMap(expectedRefusals));
    expect(run.stdout).toMatch(/ID=[0-9a-f-]{36}\s*$/);
  });
});
