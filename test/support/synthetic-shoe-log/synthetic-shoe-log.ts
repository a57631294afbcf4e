import {
  createShoe,
  currentRatingOf,
  decisionStateOf,
  evolveInPlace,
  importTrueToSizes,
  initialShoe,
  renameShoe,
  retractTrueToSize,
  shoeNameKey,
  submitTrueToSize,
  type CommandMetadata,
  type FitSize,
  type Shoe,
  type ShoeEvent,
} from '../../../src/shoes/domain';

/**
 * A large, realistic shoe log made fast, for the rebuild benchmark (test/bench, scenario B) and the rebuild
 * tests: not used by the service. Every event comes out of the domain's own `decide` functions, run against
 * the state the earlier events left, so the log is one the service could have written (a re-rating carries
 * the user's previous size, a retraction only follows a rating, a rename keeps names unique), and folded
 * with the domain's own `evolveInPlace`: the generator's running state is the fold of the log, which
 * `expected` hands to whoever checks a rebuild.
 * synthetic-shoe-log.writer.ts stores the events the way EventStore.append does.
 *
 * The mix (per event, after the shoes the log creates itself, spread over its length): ~87% ratings
 * (about a third of them a user changing their rating), ~8% retractions, ~1% imports of 1..200 anonymous
 * sizes (those in the first fifth stored in their v1 shape, the text the admin form pasted, so readers
 * must upcast them), ~0.3% renames. Shoes are picked with a skew (a few are much hotter than the rest),
 * users out of `users` (default 100,000). Deterministic for a given seed and starting state.
 */
export type SyntheticShoe = {
  shoeId: string;
  name: string;
  brand: string | null;
  version: number;
  count: number;
  sum: number;
  /** Counts of sizes 1..5. */
  distribution: [number, number, number, number, number];
  /** Current rating per signed-in user. */
  ratings: Map<string, FitSize>;
  createdAt: Date;
  updatedAt: Date;
};

/** One event as stored: `data` in the shape of `schemaVersion`. */
export type SyntheticEvent = {
  streamId: string;
  version: number;
  type: ShoeEvent['type'];
  schemaVersion: number;
  data: unknown;
  occurredAt: Date;
};

export type SyntheticLogOptions = {
  /** How many events to make. */
  events: number;
  /** Shoes whose streams exist already (their current state); the log appends to them. */
  shoes?: SyntheticShoe[];
  /** Shoes the log creates (ShoeCreated), spread over it (default: 0 when `shoes` is given, else 100). */
  newShoes?: number;
  /** Distinct users who rate (default 100,000), named `${userPrefix}${n}`. */
  users?: number;
  userPrefix?: string;
  seed?: number;
  /** occurredAt of the first event; ten events per millisecond after it (default: now). */
  startAt?: Date;
};

export type SyntheticLogCounts = Record<ShoeEvent['type'], number> & { v1Imports: number; resubmits: number; importedSizes: number };

/** A shoe as the generator keeps it: the domain's fold of its stream, and the times the read model records. */
type FoldedShoe = { state: Extract<Shoe, { status: 'existing' }>; createdAt: Date; updatedAt: Date };

const SIZE_WEIGHTS = [1, 3, 6, 3, 1]; // most shoes fit roughly true to size
const RENAME = 0.003;
const IMPORT = 0.01;
const RETRACT = 0.08;
const RERATE = 0.3;
const V1_IMPORT_SHARE = 0.2;

export class SyntheticShoeLog {
  readonly counts: SyntheticLogCounts = {
    ShoeCreated: 0,
    ShoeRenamed: 0,
    TrueToSizeSubmitted: 0,
    TrueToSizeRetracted: 0,
    TrueToSizesImported: 0,
    v1Imports: 0,
    resubmits: 0,
    importedSizes: 0,
  };
  private readonly shoes: FoldedShoe[] = [];
  /** Per shoe: its raters, in an array for picking one at random (and their index in it). */
  private readonly raters = new Map<string, { list: string[]; index: Map<string, number> }>();
  private readonly nameOwners = new Map<string, string>();
  private cumulative: number[] = [];
  private readonly random: () => number;
  private readonly users: number;
  private readonly userPrefix: string;
  private readonly newShoes: number;
  private readonly startAt: number;
  private made = 0;

  constructor(private readonly options: SyntheticLogOptions) {
    this.random = mulberry32(options.seed ?? 1);
    this.users = options.users ?? 100_000;
    this.userPrefix = options.userPrefix ?? 'synthetic-user-';
    this.newShoes = options.newShoes ?? (options.shoes?.length ? 0 : 100);
    this.startAt = (options.startAt ?? new Date()).getTime();
    for (const shoe of options.shoes ?? []) this.adopt(folded(shoe));
    if (this.shoes.length === 0 && this.newShoes === 0) throw new Error('a synthetic log needs shoes: pass some or let it create them');
  }

  /** The events, in log order, in batches of at most `batchSize`. */
  *batches(batchSize = 10_000): Generator<SyntheticEvent[]> {
    let batch: SyntheticEvent[] = [];
    while (this.made < this.options.events) {
      batch.push(this.next());
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  /** Every shoe's state after the events made so far: the fold of its stream. */
  expected(): SyntheticShoe[] {
    return this.shoes.map(({ state, createdAt, updatedAt }) => ({
      shoeId: state.shoeId,
      name: state.name,
      brand: state.brand,
      version: state.version,
      count: state.stats.count,
      sum: state.stats.sum,
      distribution: [...state.stats.distribution],
      ratings: new Map(state.ratingsByUser),
      createdAt,
      updatedAt,
    }));
  }

  /** The whole read model the fold implies: totals to check a rebuild against. */
  totals(): { shoes: number; versions: number; ratingCount: number; ratingSum: number; distribution: number[]; userRatings: number } {
    const t = { shoes: this.shoes.length, versions: 0, ratingCount: 0, ratingSum: 0, distribution: [0, 0, 0, 0, 0], userRatings: 0 };
    for (const { state } of this.shoes) {
      t.versions += state.version;
      t.ratingCount += state.stats.count;
      t.ratingSum += state.stats.sum;
      state.stats.distribution.forEach((n, i) => (t.distribution[i] += n));
      t.userRatings += this.raters.get(state.shoeId)!.list.length;
    }
    return t;
  }

  private next(): SyntheticEvent {
    const i = this.made;
    const at = new Date(this.startAt + Math.floor(i / 10));
    const now: CommandMetadata = { now: at, userId: 'synthetic' };
    const createEvery = this.newShoes ? Math.max(1, Math.floor(this.options.events / this.newShoes)) : 0;
    let shoe: FoldedShoe;
    let events: ShoeEvent[];
    let schemaVersion = 1;
    let data: unknown;
    if (this.shoes.length === 0 || (createEvery && i % createEvery === 0 && this.counts.ShoeCreated < this.newShoes)) {
      const shoeId = uuid(this.random);
      const brand = this.random() < 0.1 ? null : BRANDS[Math.floor(this.random() * BRANDS.length)];
      const name = `Synthetic ${MODELS[Math.floor(this.random() * MODELS.length)]} ${shoeId.slice(0, 18)}`;
      events = createShoe({ type: 'CreateShoe', data: { shoeId, name, brand }, metadata: now }, { shoe: { status: 'absent' }, nameTakenBy: this.nameOwners.get(shoeNameKey(brand, name)) ?? null });
      const [created] = events;
      if (created?.type !== 'ShoeCreated') throw new Error(`the generator expected ShoeCreated, decide made ${created?.type}`);
      const state = evolveInPlace(initialShoe(), created) as FoldedShoe['state'];
      shoe = this.adopt({ state, createdAt: at, updatedAt: at });
      this.counts.ShoeCreated += 1;
    } else {
      shoe = this.pickShoe();
      events = this.decideOne(shoe, now);
    }
    if (events.length !== 1) throw new Error(`the generator expected one event, decide made ${events.length}`);
    const [event] = events;
    if (event.type !== 'ShoeCreated') this.apply(shoe, event, at);
    data = event.data;
    if (event.type === 'TrueToSizesImported' && i < this.options.events * V1_IMPORT_SHARE) {
      // The v1 shape: the sizes as the comma-separated text the admin form pasted.
      schemaVersion = 1;
      data = { shoeId: event.data.shoeId, ratings: event.data.sizes.join(i % 2 ? ', ' : ',') };
      this.counts.v1Imports += 1;
    } else if (event.type === 'TrueToSizesImported') schemaVersion = 2;
    this.made += 1;
    return { streamId: shoe.state.shoeId, version: shoe.state.version, type: event.type, schemaVersion, data, occurredAt: at };
  }

  /** One command against the shoe, decided by the domain; retried with another kind when it would be a no-op. */
  private decideOne({ state: shoe }: FoldedShoe, metadata: CommandMetadata): ShoeEvent[] {
    const state = decisionStateOf(shoe);
    const shoeId = shoe.shoeId;
    const r = this.random();
    const raters = this.raters.get(shoeId)!.list;
    if (r < RENAME) {
      const name = `${shoe.name.replace(/ \(\d+\)$/, '')} (${shoe.version + 1})`;
      return renameShoe({ type: 'RenameShoe', data: { shoeId, name, expectedVersion: shoe.version }, metadata }, { shoe: state, nameTakenBy: this.nameOwners.get(shoeNameKey(shoe.brand, name)) ?? null });
    }
    if (r < RENAME + IMPORT) {
      const sizes = Array.from({ length: 1 + Math.floor(this.random() * 200) }, () => this.size());
      return importTrueToSizes({ type: 'ImportTrueToSizes', data: { shoeId, sizes }, metadata }, { shoe: state });
    }
    if (r < RENAME + IMPORT + RETRACT && raters.length) {
      const userId = raters[Math.floor(this.random() * raters.length)];
      return retractTrueToSize({ type: 'RetractTrueToSize', data: { shoeId, userId }, metadata }, { shoe: state, currentSize: currentRatingOf(shoe, userId) });
    }
    const userId = raters.length && this.random() < RERATE ? raters[Math.floor(this.random() * raters.length)] : `${this.userPrefix}${Math.floor(this.random() * this.users)}`;
    const currentSize = currentRatingOf(shoe, userId);
    let size = this.size();
    if (size === currentSize) size = ((size % 5) + 1) as FitSize; // the same size again would append nothing
    return submitTrueToSize({ type: 'SubmitTrueToSize', data: { shoeId, userId, size }, metadata }, { shoe: state, currentSize });
  }

  /**
   * Folds the event into the shoe with the domain's evolveInPlace (never ShoeCreated: that starts a new state),
   * then keeps the generator's own indexes up to date: who rated the shoe, who holds a name, the counts.
   */
  private apply(shoe: FoldedShoe, event: Exclude<ShoeEvent, { type: 'ShoeCreated' }>, at: Date): void {
    const raters = this.raters.get(shoe.state.shoeId)!;
    const oldNameKey = shoeNameKey(shoe.state.brand, shoe.state.name);
    evolveInPlace(shoe.state, event);
    shoe.updatedAt = at;
    this.counts[event.type] += 1;
    switch (event.type) {
      case 'ShoeRenamed':
        this.nameOwners.delete(oldNameKey);
        this.nameOwners.set(shoeNameKey(shoe.state.brand, shoe.state.name), shoe.state.shoeId);
        break;
      case 'TrueToSizeSubmitted':
        if (event.data.previousSize !== null) this.counts.resubmits += 1;
        else {
          raters.index.set(event.data.userId, raters.list.length);
          raters.list.push(event.data.userId);
        }
        break;
      case 'TrueToSizeRetracted': {
        const { userId } = event.data;
        const at = raters.index.get(userId)!;
        const last = raters.list.pop()!;
        if (last !== userId) {
          raters.list[at] = last;
          raters.index.set(last, at);
        }
        raters.index.delete(userId);
        break;
      }
      case 'TrueToSizesImported':
        this.counts.importedSizes += event.data.sizes.length;
        break;
    }
  }

  private adopt(shoe: FoldedShoe): FoldedShoe {
    this.shoes.push(shoe);
    const list = [...shoe.state.ratingsByUser.keys()];
    this.raters.set(shoe.state.shoeId, { list, index: new Map(list.map((u, i) => [u, i])) });
    this.nameOwners.set(shoeNameKey(shoe.state.brand, shoe.state.name), shoe.state.shoeId);
    // Popularity: the n-th shoe weighs 1/n^0.8, so the first few are hot and the tail is long.
    this.cumulative.push((this.cumulative[this.cumulative.length - 1] ?? 0) + 1 / Math.pow(this.shoes.length, 0.8));
    return shoe;
  }

  private pickShoe(): FoldedShoe {
    const target = this.random() * this.cumulative[this.cumulative.length - 1];
    let [lo, hi] = [0, this.cumulative.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return this.shoes[lo];
  }

  private size(): FitSize {
    let r = this.random() * 14;
    for (let s = 0; s < 5; s++) {
      r -= SIZE_WEIGHTS[s];
      if (r < 0) return (s + 1) as FitSize;
    }
    return 5;
  }
}

const BRANDS = ['adidas', 'Nike', 'New Balance', 'ASICS', 'Puma', 'Converse', 'Vans', 'Salomon'];
const MODELS = ['Runner', 'Low', 'High', 'Trail', 'Court', 'Retro', 'Racer', 'Slide'];

/** A shoe handed in (its stream exists already) as the generator keeps it: a copy the generator may change. */
function folded(shoe: SyntheticShoe): FoldedShoe {
  const { shoeId, name, brand, version, count, sum, distribution } = shoe;
  const ratingsByUser = new Map(shoe.ratings);
  const state: FoldedShoe['state'] = { status: 'existing', shoeId, name, brand, version, stats: { count, sum, distribution: [...distribution] }, ratingsByUser };
  return { state, createdAt: shoe.createdAt, updatedAt: shoe.updatedAt };
}

/** A small, fast, seedable PRNG (public domain), so a log can be made again exactly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4 UUID from the generator's PRNG. */
function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
