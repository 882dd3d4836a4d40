import { PlaceKeeper } from './place-keeper';

describe('PlaceKeeper', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function keeper(start = 0, failures = 0) {
    const saves: number[] = [];
    const failed: number[] = [];
    let failing = failures;
    const place = new PlaceKeeper(start, {
      saveAfterMs: 100,
      save: async (position) => {
        if (failing > 0) {
          failing -= 1;
          throw new Error('PostgreSQL is away');
        }
        saves.push(position);
      },
      onSaveFailed: (_error, position) => failed.push(position),
    });
    return { place, saves, failed };
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

  it('stop with nothing unsaved writes nothing', async () => {
    const { place, saves } = keeper(5);
    place.savedWith(6);
    await place.stop();
    expect(saves).toEqual([]);
  });
});
