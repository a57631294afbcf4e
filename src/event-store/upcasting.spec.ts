import { EventSchemaVersionError, Upcaster, UpcasterRegistry } from './upcasting';

/** A made-up history: v1 { title } → v2 { name } → v3 { name, tags }. */
const titleToName: Upcaster = {
  type: 'ThingMade',
  fromVersion: 1,
  upcast: (data) => {
    const { title, ...rest } = data as { title: string };
    return { ...rest, name: title };
  },
};
const addTags: Upcaster = { type: 'ThingMade', fromVersion: 2, upcast: (data) => ({ ...(data as object), tags: [] }) };
const registry = new UpcasterRegistry([addTags, titleToName]);
const at = { streamId: 's-1', version: 4 };

describe('UpcasterRegistry', () => {
  it('chains the steps from any stored version to the current one', () => {
    expect(registry.upcast({ ...at, type: 'ThingMade', schemaVersion: 1, data: { id: 7, title: 'a' } })).toEqual({
      ...at,
      type: 'ThingMade',
      schemaVersion: 3,
      data: { id: 7, name: 'a', tags: [] },
    });
    expect(registry.upcast({ type: 'ThingMade', schemaVersion: 2, data: { name: 'b' } }).data).toEqual({ name: 'b', tags: [] });
  });

  it('returns an event already at the current version as it is, and never mutates its input', () => {
    const current = { type: 'ThingMade', schemaVersion: 3, data: { name: 'c', tags: ['x'] } };
    expect(registry.upcast(current)).toBe(current);
    const old = { type: 'ThingMade', schemaVersion: 1, data: { title: 'd' } };
    registry.upcast(old);
    expect(old).toEqual({ type: 'ThingMade', schemaVersion: 1, data: { title: 'd' } });
  });

  it('knows the current version of each type: one past its last step, 1 without steps', () => {
    expect(registry.currentVersion('ThingMade')).toBe(3);
    expect(registry.currentVersion('Unknown')).toBe(1);
    expect(UpcasterRegistry.EMPTY.currentVersion('ThingMade')).toBe(1);
  });

  it('passes a type it has no upcasters for through untouched, whatever its stored version', () => {
    const event = { type: 'OtherHappened', schemaVersion: 5, data: { any: 'shape' } };
    expect(registry.upcast(event)).toBe(event);
    expect(UpcasterRegistry.EMPTY.upcast(event)).toBe(event);
  });

  it('refuses a chain with a missing step, or two steps from one version, when it is built', () => {
    const third: Upcaster = { type: 'ThingMade', fromVersion: 3, upcast: (d) => d };
    expect(() => new UpcasterRegistry([titleToName, third])).toThrow(
      new EventSchemaVersionError('upcasters of ThingMade skip version 2: add one with fromVersion 2'),
    );
    expect(() => new UpcasterRegistry([titleToName, titleToName])).toThrow('two upcasters of ThingMade from version 1');
    expect(() => new UpcasterRegistry([{ ...titleToName, fromVersion: 0 }])).toThrow('fromVersion must be an integer >= 1');
  });

  it('fails loudly on a stored version below the first step it has', () => {
    const retiredV1 = new UpcasterRegistry([addTags]);
    expect(() => retiredV1.upcast({ ...at, type: 'ThingMade', schemaVersion: 1, data: { title: 'e' } })).toThrow(
      "no upcaster for ThingMade (stream s-1, version 4) from schema version 1: register one with { type: 'ThingMade', fromVersion: 1 }",
    );
  });

  it('fails loudly, and says why, on a version newer than this code knows', () => {
    const read = () => registry.upcast({ ...at, type: 'ThingMade', schemaVersion: 4, data: {} });
    expect(read).toThrow(EventSchemaVersionError);
    expect(read).toThrow(
      'ThingMade (stream s-1, version 4) is at schema version 4, newer than this code knows (up to 3): ' +
        'it was written by a newer release; run that release here instead of reading it',
    );
  });

  it('wraps a failing step with the event it failed on, keeping the cause', () => {
    const broken = new UpcasterRegistry([{ type: 'ThingMade', fromVersion: 1, upcast: () => { throw new Error('bad title'); } }]);
    let error: unknown;
    try {
      broken.upcast({ ...at, type: 'ThingMade', schemaVersion: 1, data: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EventSchemaVersionError);
    expect((error as Error).message).toBe('upcasting ThingMade (stream s-1, version 4) from schema version 1 failed: bad title');
    expect((error as Error).cause).toEqual(new Error('bad title'));
  });

  it('writes the current version by default, an explicit older one as asked, never a newer one', () => {
    expect(registry.versionToWrite({ type: 'ThingMade' })).toBe(3);
    expect(registry.versionToWrite({ type: 'ThingMade', schemaVersion: 2 })).toBe(2);
    expect(registry.versionToWrite({ type: 'Unknown' })).toBe(1);
    expect(registry.versionToWrite({ type: 'Unknown', schemaVersion: 2 })).toBe(2);
    expect(() => registry.versionToWrite({ type: 'ThingMade', schemaVersion: 4 })).toThrow(
      'cannot append ThingMade at schema version 4: this code writes versions 1..3',
    );
    expect(() => registry.versionToWrite({ type: 'Unknown', schemaVersion: 0 })).toThrow(EventSchemaVersionError);
  });
});
