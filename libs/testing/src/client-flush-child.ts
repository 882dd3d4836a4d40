// A device as a separate process, for the client's crash test (libs/client/src/client.e2e.spec.ts):
// it makes TAKES_RECORDS records offline in a file-backed outbox, prints "flushing", and
// syncs in batches of TAKES_BATCH until the test kills it.
import { TakesClient } from '@takes/client';
import { FileStorage } from '@takes/client/node';

async function main(): Promise<void> {
  const env = process.env;
  const client = await TakesClient.open({
    baseUrl: env.TAKES_URL!,
    app: 'main',
    storage: await FileStorage.open(env.TAKES_FILE!),
    tokens: { access_token: env.TAKES_TOKEN! },
    keepTokens: false,
    online: false,
    pushDelayMs: null,
    pullIntervalMs: null,
    batchSize: Number(env.TAKES_BATCH ?? 10),
  });
  for (let i = 0; i < Number(env.TAKES_RECORDS ?? 100); i += 1) await client.create('inspection', { site: `flush ${i}` });
  process.stdout.write('flushing\n');
  client.setOnline(true);
  await client.sync();
  process.stdout.write('flushed\n');
}

void main();
