import { eventually } from './eventually';

/**
 * Resolves once this machine's clock reads later than `time` (an ISO date or epoch ms):
 * for a test that needs a timestamp taken from now on to differ from one it already has,
 * without sleeping a guessed number of milliseconds.
 */
export async function clockPast(time: string | number): Promise<void> {
  const at = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(at)) throw new Error(`not a time: ${String(time)}`);
  await eventually(() => {
    if (!(Date.now() > at)) throw new Error(`the clock has not passed ${new Date(at).toISOString()}`);
  }, 5_000, 1);
}
