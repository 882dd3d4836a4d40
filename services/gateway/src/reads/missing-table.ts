/** A read table the projector has not made yet (the entity was never projected) reads as empty. */
export async function emptyWithoutTable<T>(run: () => Promise<T>): Promise<T | []> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}
