import { eventually, startFollowingService, type FollowingService } from '@takes/testing';

/**
 * /ready when the review queue's event follower has stopped. A batch that fails is
 * retried for ever, but a message on the events subjects that is not JSON cannot even be
 * read into a batch: the follower stops there (it never skips an event) and does not
 * restart on its own. /ready must say so; /health (the process answers) stays 200.
 */
describe('conflicts /ready once the review queue has stopped (event store and conflicts service as processes)', () => {
  let takes: FollowingService;
  beforeAll(async () => {
    takes = await startFollowingService('conflicts', 'TAKES_CONFLICTS_HTTP_PORT', 'conflicts_stopped');
  });
  afterAll(() => takes?.close());

  it('a message that is not an event on the events subjects: /ready answers 503 "stopped: <reason>", /health 200', async () => {
    expect(await takes.get('/ready')).toMatchObject({ status: 200, body: { checks: { review_queue: 'ok' } } });
    await takes.publishNotAnEvent('conflicts');
    expect(await takes.notReadyBecauseOf('review_queue')).toMatch(/^stopped: .*JSON/i);
    expect(await takes.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    // Service logs are written in blocks (or every 200 ms): wait for the line.
    await eventually(() => expect(takes.service.output()).toContain('review queue stopped'));
    expect(takes.service.child.exitCode).toBeNull();
  });
});
