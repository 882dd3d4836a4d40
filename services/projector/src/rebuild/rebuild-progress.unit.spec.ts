import { etaSeconds, progressRates, trimSamples } from './rebuild-progress';

describe('rebuild progress', () => {
  const samples = [
    { at: 0, events: 0, position: 0 },
    { at: 1_000, events: 500, position: 1_000 },
    { at: 2_000, events: 1_500, position: 3_000 },
    { at: 3_000, events: 2_500, position: 5_000 },
  ];

  it('measures the pace over the window only', () => {
    expect(progressRates(samples, 10_000)).toEqual({ eventsPerSecond: 2_500 / 3, positionsPerSecond: 5_000 / 3 });
    expect(progressRates(samples, 2_000)).toEqual({ eventsPerSecond: 1_000, positionsPerSecond: 2_000 });
    expect(progressRates(samples.slice(0, 1), 2_000)).toEqual({ eventsPerSecond: 0, positionsPerSecond: 0 });
    expect(progressRates([], 2_000)).toEqual({ eventsPerSecond: 0, positionsPerSecond: 0 });
  });

  it('estimates the time left from the pace of positions; unknown without a pace; zero when there', () => {
    expect(etaSeconds(5_000, 9_000, 2_000)).toBe(2);
    expect(etaSeconds(5_000, 9_001, 2_000)).toBe(3);
    expect(etaSeconds(5_000, 9_000, 0)).toBeNull();
    expect(etaSeconds(9_000, 9_000, 0)).toBe(0);
    expect(etaSeconds(9_500, 9_000, 10)).toBe(0);
  });

  it('keeps the samples of the window and the one before it', () => {
    expect(trimSamples([...samples], 1_500).map((s) => s.at)).toEqual([1_000, 2_000, 3_000]);
    expect(trimSamples([...samples], 60_000)).toHaveLength(4);
  });
});
