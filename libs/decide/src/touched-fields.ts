import type { PatchOperation } from '@takes/contracts';

/** Top-level fields a JSON Patch document touches, by its paths and `from`s. */
export function touchedFields(ops: PatchOperation[]): string[] {
  const fields = new Set<string>();
  for (const op of ops) {
    for (const pointer of [op.path, op.from]) {
      if (typeof pointer !== 'string' || pointer === '') continue;
      const first = pointer.split('/')[1];
      if (first !== undefined) fields.add(first.replace(/~1/g, '/').replace(/~0/g, '~'));
    }
  }
  return [...fields];
}

