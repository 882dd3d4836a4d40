import { parseEntityDefinition } from '@takes/metadata';
import { uniqueChanges, uniqueValuesOf } from './unique-values';

const parsed = parseEntityDefinition({ name: 'user_card', fields: [{ name: 'id', type: 'uuid' }, { name: 'email', type: 'string', unique: true, nullable: true }, { name: 'badge', type: 'int', unique: true, nullable: true }, { name: 'name', type: 'string' }] });
if (!parsed.ok) throw new Error('bad test entity');
const entity = parsed.value;

describe('unique values', () => {
  it('are the non-null values of unique fields, as text', () => {
    expect(uniqueValuesOf(entity, { id: 'x', email: 'a@b', badge: 7, name: 'n' })).toEqual([{ field: 'email', value: 'a@b' }, { field: 'badge', value: '7' }]);
    expect(uniqueValuesOf(entity, { email: null })).toEqual([]);
    expect(uniqueValuesOf(null, { email: 'a' })).toEqual([]);
  });
  it('changes: new values to reserve, cleared fields to release, unchanged ones left alone', () => {
    expect(uniqueChanges(entity, { email: 'a@b', badge: 7 }, { email: 'c@d', badge: 7 })).toEqual({ reserve: [{ field: 'email', value: 'c@d' }], release: [] });
    expect(uniqueChanges(entity, { email: 'a@b', badge: 7 }, { email: null, badge: 7 })).toEqual({ reserve: [], release: ['email'] });
  });
});
