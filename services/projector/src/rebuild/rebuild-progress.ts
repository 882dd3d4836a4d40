/** A point of a rebuild's progress: events read and position reached at a time (ms). */
export interface ProgressSample {
  at: number;
  events: number;
  position: number;
}

export interface ProgressRates {
  eventsPerSecond: number;
  positionsPerSecond: number;
}

/**
 * The pace over the samples of the last `windowMs` before the newest one (samples in
 * time order). Less than two samples, or no time between them: zero.
 */
export function progressRates(samples: readonly ProgressSample[], windowMs: number): ProgressRates {
  const last = samples[samples.length - 1];
  if (!last) return { eventsPerSecond: 0, positionsPerSecond: 0 };
  const first = samples.find((s) => last.at - s.at <= windowMs) ?? last;
  const seconds = (last.at - first.at) / 1000;
  if (seconds <= 0) return { eventsPerSecond: 0, positionsPerSecond: 0 };
  return { eventsPerSecond: (last.events - first.events) / seconds, positionsPerSecond: (last.position - first.position) / seconds };
}

/** Seconds until `position` reaches `lastPosition` at the given pace; null when there is no pace to go by. */
export function etaSeconds(position: number, lastPosition: number, positionsPerSecond: number): number | null {
  const left = Math.max(0, lastPosition - position);
  if (left === 0) return 0;
  if (positionsPerSecond <= 0) return null;
  return Math.ceil(left / positionsPerSecond);
}

/** Keeps the samples of the last `windowMs` (plus the one just before, so a window always spans it). */
export function trimSamples(samples: ProgressSample[], windowMs: number): ProgressSample[] {
  const last = samples[samples.length - 1];
  if (!last) return samples;
  const firstInside = samples.findIndex((s) => last.at - s.at <= windowMs);
  return samples.slice(Math.max(0, firstInside - 1));
}
