import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL, dropDatabase, ensureDatabase } from '@takes/db';

export interface TestDatabase {
  /** URL of a database made for this suite alone. */
  url: string;
  drop(): Promise<void>;
}

interface StartedContainer {
  getConnectionUri(): string;
  stop(): Promise<unknown>;
}

let container: Promise<StartedContainer> | undefined;

async function serverUrl(): Promise<string> {
  if (process.env.TAKES_TEST_CONTAINERS === '1') {
    // For people with Docker: one throwaway PostgreSQL per test worker.
    container ??= (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PostgreSqlContainer } = require('@testcontainers/postgresql');
      return (await new PostgreSqlContainer('postgres:16-alpine').start()) as StartedContainer;
    })();
    return (await container).getConnectionUri();
  }
  return process.env.TAKES_TEST_DATABASE_URL ?? process.env.TAKES_DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/**
 * A fresh, empty database for one test suite, on the configured server (or a
 * testcontainers one when TAKES_TEST_CONTAINERS=1). Suites run in parallel without
 * seeing each other; `drop()` removes it.
 */
export async function createTestDatabase(label = 'suite'): Promise<TestDatabase> {
  const base = new URL(await serverUrl());
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  base.pathname = `/takes_test_${safe}_${randomBytes(4).toString('hex')}`;
  const url = base.toString();
  await ensureDatabase(url);
  return { url, drop: () => dropDatabase(url) };
}
