import { createTestStream, type TestStream } from '@takes/testing';
import { ensureEventsStream } from './events-stream';

describe('ensureEventsStream', () => {
  let ts: TestStream;
  beforeEach(async () => {
    ts = await createTestStream();
  });
  afterEach(() => ts.cleanup());

  it('reuses a stream of the same prefix, and refuses one made for another prefix, naming both', async () => {
    const jsm = await ts.nc.jetstreamManager();
    const options = { name: ts.stream, maxAgeMs: 60_000, duplicateWindowMs: 1_000 };
    await expect(ensureEventsStream(jsm, { ...options, subjectPrefix: ts.prefix })).resolves.toMatchObject({ config: { subjects: [`${ts.prefix}evt.>`] } });
    await expect(ensureEventsStream(jsm, { ...options, subjectPrefix: `other${ts.prefix}` })).rejects.toThrow(
      new RegExp(`stream ${ts.stream} holds subjects .*${ts.prefix.replace('.', '\\.')}evt.*not other${ts.prefix.replace('.', '\\.')}evt`),
    );
  });
});
