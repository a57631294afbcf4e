import { evolve, evolveInPlace, initialShoe, type Shoe, type ShoeEvent } from '../../../src/shoes/domain';
import { SHOE_EVENT_UPCASTER_REGISTRY } from '../../../src/shoes/events/shoe-event.upcasters';
import { SyntheticShoeLog, type SyntheticEvent, type SyntheticShoe } from './synthetic-shoe-log';

/** The stored event as a reader gets it: upcast to the current shape. */
const current = (e: SyntheticEvent): ShoeEvent =>
  SHOE_EVENT_UPCASTER_REGISTRY.upcast({ type: e.type, schemaVersion: e.schemaVersion, data: e.data }) as unknown as ShoeEvent;

/** The generator's state of a shoe, in the domain's words. */
const asShoe = (s: SyntheticShoe): Shoe => ({
  status: 'existing',
  shoeId: s.shoeId,
  name: s.name,
  brand: s.brand,
  version: s.version,
  stats: { count: s.count, sum: s.sum, distribution: s.distribution },
  ratingsByUser: new Map(s.ratings),
});

describe('SyntheticShoeLog', () => {
  it("makes a log the domain folds (evolve, and evolveInPlace alike) to exactly the generator's expected state", () => {
    const log = new SyntheticShoeLog({ events: 10_000, newShoes: 40, users: 300, seed: 3, startAt: new Date('2026-01-01T00:00:00Z') });
    const events = [...log.batches(3000)].flat();
    expect(events).toHaveLength(10_000);
    const pure = new Map<string, Shoe>();
    const inPlace = new Map<string, Shoe>();
    const versions = new Map<string, number>();
    let lastAt = 0;
    for (const e of events) {
      // Versions contiguous per stream, time never going back.
      expect(e.version).toBe((versions.get(e.streamId) ?? 0) + 1);
      versions.set(e.streamId, e.version);
      expect(e.occurredAt.getTime()).toBeGreaterThanOrEqual(lastAt);
      lastAt = e.occurredAt.getTime();
      pure.set(e.streamId, evolve(pure.get(e.streamId) ?? initialShoe(), current(e)));
      inPlace.set(e.streamId, evolveInPlace(inPlace.get(e.streamId) ?? initialShoe(), current(e)));
    }
    const expected = new Map(log.expected().map((s) => [s.shoeId, asShoe(s)]));
    expect(pure).toEqual(expected);
    expect(inPlace).toEqual(expected);
    expect(log.totals()).toMatchObject({ shoes: 40, versions: 10_000 });
  });

  it('has every kind of event, re-ratings with their previous size, and old-shape imports', () => {
    const log = new SyntheticShoeLog({ events: 50_000, newShoes: 10, users: 2000, seed: 9 });
    const events = [...log.batches()].flat();
    const c = log.counts;
    expect(c.ShoeCreated).toBe(10);
    for (const type of ['ShoeRenamed', 'TrueToSizeRetracted', 'TrueToSizesImported'] as const) expect(c[type]).toBeGreaterThan(10);
    expect(c.resubmits).toBeGreaterThan(c.TrueToSizeSubmitted / 10);
    expect(c.v1Imports).toBeGreaterThan(0);
    const v1 = events.find((e) => e.type === 'TrueToSizesImported' && e.schemaVersion === 1);
    expect(v1?.data).toEqual({ shoeId: v1?.streamId, ratings: expect.stringMatching(/^[1-5](, ?[1-5])*$/) });
  });

  it('continues existing streams from their state, and is the same log for the same seed', () => {
    const start: SyntheticShoe = {
      shoeId: '0b6f3c52-3f4e-4a55-9a8e-0d4f8c1b2a01',
      name: 'Existing',
      brand: 'Brand',
      version: 3,
      count: 2,
      sum: 7,
      distribution: [0, 0, 1, 1, 0],
      ratings: new Map([['someone', 3]]),
      createdAt: new Date(0),
      updatedAt: new Date(0),
    };
    const make = () => new SyntheticShoeLog({ events: 200, shoes: [start], users: 5, seed: 4, startAt: new Date(1000) });
    const log = make();
    const events = [...log.batches()].flat();
    expect(events[0]).toMatchObject({ streamId: start.shoeId, version: 4 });
    expect(start.version).toBe(3); // the caller's state is left alone
    let shoe = asShoe(start);
    for (const e of events) shoe = evolve(shoe, current(e));
    expect(shoe).toEqual(asShoe(log.expected()[0]));
    expect([...make().batches()].flat()).toEqual(events);
  });
});
