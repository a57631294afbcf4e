import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../event-store/recorded-event';
import { evolveInPlace, initialShoe, shoeNameKey, type FitSize, type Shoe, type ShoeEvent } from '../domain';
import { quoteIdentifier, type ShoeTables } from '../read-model/shoe.projection';

type ExistingShoe = Extract<Shoe, { status: 'existing' }>;

/**
 * One stream folded: the domain's state plus what the read model records besides (first and last event
 * time), and what changed since the fold's last checkpoint (ShoeFold.takeChanges).
 */
export type FoldedShoe = {
  shoe: ExistingShoe;
  createdAt: Date;
  updatedAt: Date;
  /** Changed since the last checkpoint. */
  changed: boolean;
  /** The users whose rating changed since then; null: not tracked (before the first checkpoint), take them all. */
  changedUsers: Set<string> | null;
};

/** What a checkpoint writes of one shoe: its row, and its ratings (all of them, or only those of `users`). */
export type FoldChange = { folded: FoldedShoe; users: Set<string> | null };

/**
 * The offline rebuild's fold of the whole log, in memory: every shoe stream folded with the domain's rules
 * (evolveInPlace: the rules of `evolve`, without copying a shoe's ratings per event), fed events in log
 * order, which is each stream's version order. It tracks what changed since the last checkpoint, so that a
 * checkpoint writes only that: which shoes always (a flag), and, once there has been a checkpoint, which
 * users' ratings (before the first one, every rating of a changed shoe is new anyway, and a run that ends
 * before its first checkpoint tracks nothing more).
 * Memory: the read model itself, about 100 bytes per current user rating plus a few hundred per shoe.
 */
export class ShoeFold {
  readonly shoes = new Map<string, FoldedShoe>();
  private changed: FoldedShoe[] = [];
  private trackUsers = false;

  /** Folds one event (in its current shape) into its stream; throws when the stream contradicts itself. */
  apply(event: RecordedEvent<ShoeEvent>): void {
    let folded = this.shoes.get(event.streamId);
    const shoe = evolveInPlace(folded?.shoe ?? initialShoe(), event as ShoeEvent);
    if (shoe.status !== 'existing') throw new Error(`stream ${event.streamId} does not start with ShoeCreated`);
    // Log order is version order within a stream; anything else means the read skipped or repeated an event.
    if (shoe.version !== event.version) throw new Error(`stream ${event.streamId}: event version ${event.version} folded as version ${shoe.version}`);
    if (folded) folded.updatedAt = event.occurredAt;
    else {
      folded = { shoe, createdAt: event.occurredAt, updatedAt: event.occurredAt, changed: false, changedUsers: null };
      this.shoes.set(event.streamId, folded);
    }
    if (!folded.changed) {
      folded.changed = true;
      this.changed.push(folded);
    }
    if (folded.changedUsers && (event.type === 'TrueToSizeSubmitted' || event.type === 'TrueToSizeRetracted')) folded.changedUsers.add(event.data.userId);
  }

  /** A shoe as a checkpoint wrote it (its row and its ratings), to continue folding from there. */
  adopt(row: ShoeRow, ratings: Iterable<[string, FitSize]>): void {
    const ratingsByUser: Record<string, FitSize> = {};
    for (const [userId, size] of ratings) Object.defineProperty(ratingsByUser, userId, { value: size, writable: true, enumerable: true, configurable: true });
    const shoe: ExistingShoe = {
      status: 'existing',
      shoeId: row.id,
      name: row.name,
      brand: row.brand,
      version: row.version,
      stats: { count: row.rating_count, sum: Number(row.rating_sum), distribution: [row.size_1, row.size_2, row.size_3, row.size_4, row.size_5] },
      ratingsByUser,
    };
    this.shoes.set(row.id, { shoe, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at), changed: false, changedUsers: new Set() });
    this.trackUsers = true;
  }

  /** What changed since the previous call (the previous checkpoint), and from now on tracks users too. */
  takeChanges(): FoldChange[] {
    const changes = this.changed.map((folded) => ({ folded, users: folded.changedUsers }));
    for (const folded of this.changed) folded.changed = false;
    this.changed = [];
    if (!this.trackUsers) for (const folded of this.shoes.values()) folded.changedUsers = new Set();
    else for (const { folded } of changes) folded.changedUsers = new Set();
    this.trackUsers = true;
    return changes;
  }
}

/** A `shoes` row, columns in the table's order. */
export type ShoeRow = {
  id: string;
  name: string;
  brand: string | null;
  name_key: string;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
  rating_count: number;
  rating_sum: number | string;
  size_1: number;
  size_2: number;
  size_3: number;
  size_4: number;
  size_5: number;
};

/** The `shoes` row the fold of a stream implies. */
export function shoeRowOf({ shoe, createdAt, updatedAt }: FoldedShoe): ShoeRow {
  const [size_1, size_2, size_3, size_4, size_5] = shoe.stats.distribution;
  return {
    id: shoe.shoeId,
    name: shoe.name,
    brand: shoe.brand,
    name_key: shoeNameKey(shoe.brand, shoe.name),
    created_at: createdAt,
    updated_at: updatedAt,
    version: shoe.version,
    rating_count: shoe.stats.count,
    rating_sum: shoe.stats.sum,
    size_1, size_2, size_3, size_4, size_5,
  };
}

/** Rows per statement of the bulk writes below (arrays as parameters: one round trip for many rows). */
const CHUNK = 50_000;

/** INSERTs `rows` into `tables.shoes` in one statement per chunk. */
export async function insertShoeRows(tx: EntityManager, tables: ShoeTables, rows: ShoeRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const column = <K extends keyof ShoeRow>(key: K) => chunk.map((r) => r[key]);
    const when = (key: 'created_at' | 'updated_at') => chunk.map((r) => (r[key] instanceof Date ? r[key].toISOString() : r[key]));
    await tx.query(
      `INSERT INTO ${quoteIdentifier(tables.shoes)} (id, name, brand, name_key, created_at, updated_at, version, rating_count, rating_sum, size_1, size_2, size_3, size_4, size_5)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::int[], $8::int[], $9::bigint[],
                            $10::int[], $11::int[], $12::int[], $13::int[], $14::int[])`,
      [
        column('id'), column('name'), column('brand'), column('name_key'), when('created_at'), when('updated_at'), column('version'),
        column('rating_count'), column('rating_sum'), column('size_1'), column('size_2'), column('size_3'), column('size_4'), column('size_5'),
      ],
    );
  }
}

export async function deleteShoeRows(tx: EntityManager, tables: ShoeTables, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    await tx.query(`DELETE FROM ${quoteIdentifier(tables.shoes)} WHERE id = ANY($1::uuid[])`, [ids.slice(i, i + CHUNK)]);
  }
}

/** Ratings as three parallel columns: shoe ids, user ids, sizes (sizes unused when deleting). */
export type RatingRows = { shoeIds: string[]; userIds: string[]; sizes: number[] };
export const noRatingRows = (): RatingRows => ({ shoeIds: [], userIds: [], sizes: [] });

export async function insertRatingRows(tx: EntityManager, tables: ShoeTables, rows: RatingRows): Promise<void> {
  for (let i = 0; i < rows.shoeIds.length; i += CHUNK) {
    await tx.query(
      `INSERT INTO ${quoteIdentifier(tables.shoeRatings)} (shoe_id, user_id, size) SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[])`,
      [rows.shoeIds.slice(i, i + CHUNK), rows.userIds.slice(i, i + CHUNK), rows.sizes.slice(i, i + CHUNK)],
    );
  }
}

export async function deleteRatingRows(tx: EntityManager, tables: ShoeTables, rows: Omit<RatingRows, 'sizes'>): Promise<void> {
  for (let i = 0; i < rows.shoeIds.length; i += CHUNK) {
    await tx.query(
      `DELETE FROM ${quoteIdentifier(tables.shoeRatings)} r USING unnest($1::uuid[], $2::text[]) AS d(shoe_id, user_id)
       WHERE r.shoe_id = d.shoe_id AND r.user_id = d.user_id`,
      [rows.shoeIds.slice(i, i + CHUNK), rows.userIds.slice(i, i + CHUNK)],
    );
  }
}
