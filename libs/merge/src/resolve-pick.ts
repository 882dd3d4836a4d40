import { TakesError, type TakesEvent } from '@takes/contracts';
import { fieldTakes } from './field-takes';

/** A field as the API names it: a top-level name (`notes`) or a JSON Pointer (`/extra/tags`). */
export function fieldPointer(field: string): string {
  if (field.startsWith('/')) return field;
  return `/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * The value a reviewer picks: a take (the value of `field` in event `take`, as
 * `fieldTakes` defines it) or a value given outright.
 */
export function pickedValue(events: TakesEvent[], field: string, pick: { take?: string; value?: unknown }): unknown {
  if (pick.take === undefined) {
    if (pick.value === undefined) throw new TakesError('VALIDATION_FAILED', 'give take (an event id) or value', [{ field: 'take', rule: 'required', message: 'take or value is required' }]);
    return pick.value;
  }
  const pointer = fieldPointer(field);
  const history = fieldTakes(events).find((h) => h.field === pointer);
  const take = history?.takes.find((t) => t.event_id === pick.take);
  if (!take) throw new TakesError('NOT_FOUND', `no take of ${pointer} in event ${pick.take}`);
  return take.removed ? null : take.value;
}
