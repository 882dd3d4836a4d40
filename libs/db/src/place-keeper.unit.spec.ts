import { PlaceKeeper } from './place-keeper';

describe('PlaceKeeper', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function keeper(start = 0, failures = 0, saveMs = 0) {
    const saves: number[] = [];
    const failed: number[] = [];
    const stopFailures: number[] = [];
    let failing = failures;
    let out = 0;
    let mostOut = 0;
    const place = new PlaceKeeper(start, {
      saveAfterMs: 100,
      save: async (position) => {
        out += 1;
        mostOut = Math.max(mostOut, out);
        try {
          if (saveMs > 0) await new Promise((resolve) => setTimeout(resolve, saveMs));
          if (failing > 0) {
            failing -= 1;
            throw new Error('PostgreSQL is away');
          }
          saves.push(position);
        } finally {
          out -= 1;
        }
      },
      name: 'test reader',
      log: { warn: ({ position }: { position?: number }, msg) => (msg.includes('tried again') ? failed : stopFailures).push(position!) },
    });
    return { place, saves, failed, stopFailures, mostOut: () => mostOut };
  }

  it('saves a place that moved once, saveAfterMs later, however often it moved meanwhile', async () => {
    const { place, saves } = keeper(10);
    place.moved(11);
    place.moved(14);
    await jest.advanceTimersByTimeAsync(99);
    expect(saves).toEqual([]);
    expect(place).toMatchObject({ applied: 14, saved: 10 });
    await jest.advanceTimersByTimeAsync(1);
    expect(saves).toEqual([14]);
    expect(place.saved).toBe(14);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(saves).toEqual([14]);
  });

  it('a place saved with a batch needs no timed save; one that moves past it does', async () => {
    const { place, saves } = keeper();
    place.moved(3);
    place.savedWith(5);
    await jest.advanceTimersByTimeAsync(100);
    expect(saves).toEqual([]);
    expect(place).toMatchObject({ applied: 5, saved: 5 });
    place.moved(8);
    await jest.advanceTimersByTimeAsync(100);
    expect(saves).toEqual([8]);
  });

  it('a save that fails is tried again saveAfterMs later, with the place reached by then', async () => {
    const { place, saves, failed } = keeper(0, 2);
    place.moved(4);
    await jest.advanceTimersByTimeAsync(100);
    expect(failed).toEqual([4]);
    place.moved(6);
    await jest.advanceTimersByTimeAsync(100);
    expect(failed).toEqual([4, 6]);
    expect(place.saved).toBe(0);
    await jest.advanceTimersByTimeAsync(100);
    expect(saves).toEqual([6]);
    expect(place.saved).toBe(6);
  });

  it('stop saves what is not saved yet, at once, and no timer saves after it', async () => {
    const { place, saves } = keeper();
    place.moved(7);
    await place.stop();
    expect(saves).toEqual([7]);
    place.moved(9);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(saves).toEqual([7]);
    expect(place.applied).toBe(9);
  });

  it('a save slower than saveAfterMs is never joined by another: the next starts once it is done, with the place reached by then', async () => {
    const { place, saves, mostOut } = keeper(0, 0, 250);
    place.moved(1);
    await jest.advanceTimersByTimeAsync(150);
    place.moved(2);
    await jest.advanceTimersByTimeAsync(200);
    place.moved(3);
    expect(saves).toEqual([1]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(saves).toEqual([1, 3]);
    expect(mostOut()).toBe(1);
  });

  it('a save on stop that fails is reported as not tried again', async () => {
    const { place, failed, stopFailures } = keeper(0, 1);
    place.moved(2);
    await place.stop();
    expect(stopFailures).toEqual([2]);
    expect(failed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(place.saved).toBe(0);
  });

  it('stop with nothing unsaved writes nothing', async () => {
    const { place, saves } = keeper(5);
    place.savedWith(6);
    await place.stop();
    expect(saves).toEqual([]);
  });
});
