import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The shoe read model: one row per shoe, written in the same transaction as the events it reflects
 * (an inline projection), so every mutation can return its own write and queries never fold the log.
 * `nameKey` doubles as the write side's uniqueness check for (brand, name).
 * Indexes live in the migration (one per public sort order).
 */
@Entity('shoes')
export class ShoeEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) brand: string | null;
  @Column('text', { name: 'name_key', unique: true }) nameKey: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('int') version: number;
  @Column('int', { name: 'rating_count' }) ratingCount: number;
  @Column('bigint', { name: 'rating_sum', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  ratingSum: number;
  @Column('int', { name: 'size_1' }) size1: number;
  @Column('int', { name: 'size_2' }) size2: number;
  @Column('int', { name: 'size_3' }) size3: number;
  @Column('int', { name: 'size_4' }) size4: number;
  @Column('int', { name: 'size_5' }) size5: number;
}

/** Each signed-in user's current rating of a shoe: the decision state of submit/retract, rebuildable from the log. */
@Entity('shoe_ratings')
export class ShoeRatingEntity {
  @PrimaryColumn('uuid', { name: 'shoe_id' }) shoeId: string;
  @PrimaryColumn('text', { name: 'user_id' }) userId: string;
  @Column('smallint') size: number;
}

/** Idempotency keys, scoped to (user, mutation), stored in the transaction of the write they guard. */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn('text', { name: 'user_id' }) userId: string;
  @PrimaryColumn('text') mutation: string;
  @PrimaryColumn('text') key: string;
  @Column('text', { name: 'request_hash' }) requestHash: string;
  @Column('uuid', { name: 'shoe_id' }) shoeId: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
