import { EventSchemaVersionError } from '../../event-store/upcasting';
import { evolve, type ShoeEvent } from '../domain';
import { created, fold, SHOE_ID } from '../domain/shoe-decider.spec-kit';
import { SHOE_EVENT_UPCASTER_REGISTRY as registry } from './shoe-event.upcasters';

const importedV1 = (data: unknown) => ({ type: 'TrueToSizesImported', schemaVersion: 1, data, streamId: SHOE_ID, version: 2 });

describe('shoe event upcasters', () => {
  it('make TrueToSizesImported version 2 and every other shoe event version 1', () => {
    expect(registry.currentVersion('TrueToSizesImported')).toBe(2);
    for (const type of ['ShoeCreated', 'ShoeRenamed', 'TrueToSizeSubmitted', 'TrueToSizeRetracted']) {
      expect(registry.currentVersion(type)).toBe(1);
    }
  });

  it('turn a v1 TrueToSizesImported (the pasted text) into the v2 sizes, which evolve folds', () => {
    const event = registry.upcast(importedV1({ shoeId: SHOE_ID, ratings: '1, 2,2 ,3' }));
    expect(event).toMatchObject({ schemaVersion: 2, data: { shoeId: SHOE_ID, sizes: [1, 2, 2, 3] } });
    const shoe = evolve(fold(created), event as unknown as ShoeEvent);
    expect(shoe).toMatchObject({ version: 2, stats: { count: 4, sum: 8, distribution: [1, 2, 1, 0, 0] } });
  });

  it('pass v1 rows that already hold sizes (written before the bump to v2) through as they are', () => {
    const data = { shoeId: SHOE_ID, sizes: [5, 4] };
    expect(registry.upcast(importedV1(data))).toMatchObject({ schemaVersion: 2, data: { shoeId: SHOE_ID, sizes: [5, 4] } });
  });

  it('leave a v2 TrueToSizesImported untouched', () => {
    const event = { type: 'TrueToSizesImported', schemaVersion: 2, data: { shoeId: SHOE_ID, sizes: [3] } };
    expect(registry.upcast(event)).toBe(event);
  });

  it.each([
    ['an item out of range', '1,6', 'ratings item 1 ("6") is not a size from 1 to 5'],
    ['an empty item', '1,,2', 'ratings item 1 ("") is not a size from 1 to 5'],
    ['a decimal', '2.5', 'ratings item 0 ("2.5") is not a size from 1 to 5'],
    ['no text at all', undefined, 'ratings must be a comma-separated text, got undefined'],
  ])('fail loudly on a corrupt v1 row (%s) instead of guessing', (_, ratings, reason) => {
    const read = () => registry.upcast(importedV1({ shoeId: SHOE_ID, ratings }));
    expect(read).toThrow(EventSchemaVersionError);
    expect(read).toThrow(`upcasting TrueToSizesImported (stream ${SHOE_ID}, version 2) from schema version 1 failed: ${reason}`);
  });
});
