import { TakesError } from '@takes/contracts';

/** An opaque cursor over the store's global order (it holds a position). */
export function encodeCursor(position: number): string {
  return Buffer.from(`p:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const match = /^p:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new TakesError('INVALID_PAYLOAD', 'since must be a cursor from an earlier _changes answer');
  return Number(match[1]);
}
