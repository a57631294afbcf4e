import { preparedStatement } from './prepared-statements';

describe('preparedStatement', () => {
  it('given one text twice, then both calls name the same statement and carry the values', () => {
    const first = preparedStatement('SELECT $1::int AS spec_one', [1]);
    const again = preparedStatement('SELECT $1::int AS spec_one', [2]);
    expect(first.name).toMatch(/^tts_[\w-]{22}$/);
    expect(again).toEqual({ name: first.name, text: 'SELECT $1::int AS spec_one', values: [2] });
  });

  it('given two texts, then their names differ (node-postgres refuses one name for two texts)', () => {
    expect(preparedStatement('SELECT $1::int AS spec_a', [1]).name).not.toBe(preparedStatement('SELECT $1::int AS spec_b', [1]).name);
  });

  it('given more distinct texts than the bound, then the later ones go unnamed and the named ones keep their names', () => {
    const kept = preparedStatement('SELECT 1 AS spec_kept', []).name;
    const later = Array.from({ length: 100 }, (_, i) => preparedStatement(`SELECT ${i} AS spec_many`, []));
    expect(later.filter((q) => q.name === undefined).length).toBeGreaterThan(0);
    expect(later.at(-1)).toEqual({ text: 'SELECT 99 AS spec_many', values: [] });
    expect(preparedStatement('SELECT 1 AS spec_kept', []).name).toBe(kept);
  });
});
