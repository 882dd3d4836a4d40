/** How the page writes values, ids, devices and times. */

/** A field's value as a reviewer reads it: strings as they are, anything else as JSON. */
export function valueText(value: unknown, removed = false): string {
  if (removed) return '(removed)';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value) ?? 'null';
}

export function clip(text: string, max = 28): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A JSON Pointer as a field name: `/pressure` → `pressure`, `/extra/tags` → `extra/tags`. */
export function fieldName(pointer: string): string {
  return pointer.replace(/^\//, '').replace(/~1/g, '∕').replace(/~0/g, '~');
}

/**
 * A user id cut to its last 6 characters (the full id is in the block's label): ids are
 * UUID v7, whose first characters are the time they were made, alike for users made together.
 */
export function shortUser(id: string): string {
  return id.length > 8 ? `…${id.slice(-6)}` : id;
}

/** Devices are kept only as hashes (`d:` and 16 hex digits); none: an edit made without a device id. */
export function deviceText(device: string | null, short = true): string {
  if (device === null) return 'no device';
  return short && /^d:[0-9a-f]{16}$/.test(device) ? device.slice(0, 8) : device;
}

/** A tick of a time axis spanning `spanMs`: milliseconds when the takes are that close, the date when days apart. */
export function tickText(time: number, spanMs: number): string {
  const full = new Date(time).toISOString();
  if (spanMs < 10_000) return full.slice(11, 23);
  if (spanMs < 86_400_000) return full.slice(11, 19);
  return `${full.slice(0, 10)} ${full.slice(11, 16)}`;
}

/** An ISO time as `2026-12-03 10:04:05` (UTC), as the server keeps it. */
export function timeText(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().replace('T', ' ').slice(0, 19);
}
