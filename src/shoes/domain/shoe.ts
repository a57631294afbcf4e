import type {
  FitSize,
  ShoeCreated,
  ShoeEvent,
  ShoeRenamed,
  TrueToSizeRetracted,
  TrueToSizesImported,
  TrueToSizeSubmitted,
} from './shoe.events';
import { copyStats, countRating, emptyStats, type TrueToSizeStats } from './true-to-size';

/**
 * Two views of a shoe:
 * - `ShoeDecisionState`: the little a command needs, loaded by the handler from tables written in the
 *   append transaction (so a command never folds the whole stream; its cost does not grow with ratings).
 * - `Shoe`: the full fold of a stream (`evolve`), used by rebuilds and tests as the source of truth.
 */
export type Shoe =
  | { status: 'absent' }
  | {
      status: 'existing';
      shoeId: string;
      name: string;
      brand: string | null;
      version: number;
      stats: TrueToSizeStats;
      /**
       * Current rating per signed-in user (imported ratings are anonymous and not in here). A Map, not an object: any
       * string is a key (also "__proto__"), and a hot shoe's 100k raters cost a rebuild's fold half what a dictionary object does.
       */
      ratingsByUser: Map<string, FitSize>;
    };

export type ShoeDecisionState =
  | { status: 'absent' }
  | { status: 'existing'; shoeId: string; name: string; brand: string | null; version: number };

type ExistingShoe = Extract<Shoe, { status: 'existing' }>;

export function initialShoe(): Shoe {
  return { status: 'absent' };
}

/**
 * Folds one event into the state; every event adds 1 to the version.
 * Events are facts, so an event that cannot apply (e.g. a rename before creation) means the stream is
 * corrupt: it throws rather than silently produce a state that no projection would agree with.
 * Pure: `evolveInPlace` on a copy of the state, so both share one set of rules.
 */
export function evolve(state: Shoe, event: ShoeEvent): Shoe {
  return evolveInPlace(copyOf(state), event);
}

/**
 * `evolve` for a fold that owns its state (a rebuild folding a whole log): the same rules, applied to
 * `state` itself, so one event costs the same however many ratings the shoe has (evolve copies them
 * all, which makes folding a long stream quadratic). Returns the new state: `state`, changed, except
 * for ShoeCreated, which makes a new one. Throws before changing anything, like evolve.
 */
export function evolveInPlace(state: Shoe, event: ShoeEvent): Shoe {
  switch (event.type) {
    case 'ShoeCreated':
      return created(state, event);
    case 'ShoeRenamed':
      return renamed(existing(state, event), event);
    case 'TrueToSizeSubmitted':
      return submitted(existing(state, event), event);
    case 'TrueToSizeRetracted':
      return retracted(existing(state, event), event);
    case 'TrueToSizesImported':
      return imported(existing(state, event), event);
    default: {
      const _exhaustive: never = event;
      throw new Error(`unknown shoe event type ${JSON.stringify((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}

/** The command-side view of a folded shoe (what the handler would load from its tables). */
export function decisionStateOf(shoe: Shoe): ShoeDecisionState {
  switch (shoe.status) {
    case 'absent':
      return { status: 'absent' };
    case 'existing': {
      const { shoeId, name, brand, version } = shoe;
      return { status: 'existing', shoeId, name, brand, version };
    }
    default: {
      const _exhaustive: never = shoe;
      return _exhaustive;
    }
  }
}

/** A user's current rating. */
export function currentRatingOf(shoe: Shoe, userId: string): FitSize | null {
  return shoe.status === 'existing' ? (shoe.ratingsByUser.get(userId) ?? null) : null;
}

function created(state: Shoe, { data }: ShoeCreated): Shoe {
  if (state.status !== 'absent') throw new Error(`shoe ${data.shoeId} is created twice in its stream`);
  const { shoeId, name, brand } = data;
  return { status: 'existing', shoeId, name, brand, version: 1, stats: emptyStats(), ratingsByUser: new Map() };
}

function renamed(shoe: ExistingShoe, { data }: ShoeRenamed): Shoe {
  shoe.name = data.name;
  shoe.version += 1;
  return shoe;
}

function submitted(shoe: ExistingShoe, { data }: TrueToSizeSubmitted): Shoe {
  // previousSize is what the projections subtract; it must agree with the fold's per-user state.
  expectCurrentRating(shoe, data.userId, data.previousSize);
  if (data.previousSize !== null) countRating(shoe.stats, data.previousSize, -1);
  countRating(shoe.stats, data.size, +1);
  shoe.ratingsByUser.set(data.userId, data.size);
  shoe.version += 1;
  return shoe;
}

function retracted(shoe: ExistingShoe, { data }: TrueToSizeRetracted): Shoe {
  expectCurrentRating(shoe, data.userId, data.retractedSize);
  countRating(shoe.stats, data.retractedSize, -1);
  shoe.ratingsByUser.delete(data.userId);
  shoe.version += 1;
  return shoe;
}

function imported(shoe: ExistingShoe, { data }: TrueToSizesImported): Shoe {
  // Imported ratings are anonymous: they enter the statistics only, never ratingsByUser.
  for (const size of data.sizes) countRating(shoe.stats, size, +1);
  shoe.version += 1;
  return shoe;
}

/** A copy evolveInPlace may change without touching `shoe`. */
function copyOf(shoe: Shoe): Shoe {
  if (shoe.status !== 'existing') return shoe; // never changed in place: ShoeCreated makes a new state
  return { ...shoe, stats: copyStats(shoe.stats), ratingsByUser: new Map(shoe.ratingsByUser) };
}

function existing(state: Shoe, event: ShoeEvent): ExistingShoe {
  if (state.status !== 'existing') {
    throw new Error(`${event.type} for shoe ${event.data.shoeId} before ShoeCreated`);
  }
  return state;
}

function expectCurrentRating(shoe: ExistingShoe, userId: string, expected: FitSize | null): void {
  const current = currentRatingOf(shoe, userId);
  if (current !== expected) {
    throw new Error(`shoe ${shoe.shoeId}: user ${userId} has rating ${current}, the event says ${expected}`);
  }
}
