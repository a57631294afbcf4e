import { Upcaster, UpcasterRegistry } from '../../event-store/upcasting';
import { isFitSize, type FitSize, type TrueToSizesImported } from '../domain';

/**
 * Every older shape of a shoe event and how it becomes the current one; src/shoes/domain/shoe.events.ts
 * describes only current shapes. This list is the one place: ShoesModule hands it to EventStore (through
 * EventUpcastersModule) and the rebuild reads with it. When a shape changes, add a step here and leave
 * released steps alone: stored rows keep their old shape forever.
 *
 * TrueToSizesImported
 *   v1  { shoeId, ratings: "1, 2,2,3" }  the sizes as one comma-separated text, as the admin bulk-paste
 *                                        form sent them (a spreadsheet column pasted into one field).
 *   v2  { shoeId, sizes: [1, 2, 2, 3] }  current: the mutation takes `sizes: [Int!]!` and checks each
 *                                        size, so no reader has to parse text again.
 *   Rows the import mutation wrote before this type went to v2 are stored as v1 but already hold `sizes`
 *   (the schema version was not bumped with that change), so the step passes them through as they are.
 */
const importedV1ToV2: Upcaster = {
  type: 'TrueToSizesImported',
  fromVersion: 1,
  upcast(data) {
    const v1 = data as { shoeId: string; ratings?: unknown; sizes?: unknown };
    if (Array.isArray(v1.sizes)) return data;
    const v2: TrueToSizesImported['data'] = { shoeId: v1.shoeId, sizes: parseRatings(v1.ratings) };
    return v2;
  },
};

export const SHOE_EVENT_UPCASTERS: readonly Upcaster[] = [importedV1ToV2];

/** For readers outside Nest (the rebuild, the CLI): the same steps the app registers. */
export const SHOE_EVENT_UPCASTER_REGISTRY = new UpcasterRegistry(SHOE_EVENT_UPCASTERS);

/** Strict: a v1 row the old form could not have produced is corrupt, and guessing would skew the average. */
function parseRatings(ratings: unknown): FitSize[] {
  if (typeof ratings !== 'string') throw new Error(`ratings must be a comma-separated text, got ${JSON.stringify(ratings)}`);
  return ratings.split(',').map((item, i) => {
    const size = /^\s*\d\s*$/.test(item) ? Number(item) : NaN;
    if (!isFitSize(size)) throw new Error(`ratings item ${i} (${JSON.stringify(item)}) is not a size from 1 to 5`);
    return size;
  });
}
