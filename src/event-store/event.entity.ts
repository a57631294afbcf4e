import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One recorded event. The table is owned by the hand-written migration 1732400000000-event-store
 * (`synchronize: false`): TypeORM 1.1 has no xid8 column type, so a generated migration could not
 * even describe `transaction_id`. Writes go through EventStore's SQL only; this entity is for
 * typed reads. Large integers are strings (bigint, xid8 > 2^53).
 */
@Entity({ name: 'events', synchronize: false })
@Unique('events_stream_version_unique', ['streamId', 'version'])
@Index('events_transaction_position_idx', ['transactionId', 'globalPosition'])
export class EventEntity {
  @PrimaryGeneratedColumn('increment', { name: 'global_position', type: 'bigint' })
  globalPosition: string;

  /**
   * xid8 DEFAULT pg_current_xact_id() in the database; declared as bigint only because TypeORM has
   * no xid8 type (the driver returns either as a decimal string). Never written by the application.
   */
  @Column({ name: 'transaction_id', type: 'bigint', insert: false, update: false })
  transactionId: string;

  @Column({ name: 'stream_id', type: 'uuid' })
  streamId: string;

  @Column({ name: 'stream_type', type: 'text' })
  streamType: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'schema_version', type: 'int', default: 1 })
  schemaVersion: number;

  @Column({ type: 'jsonb' })
  data: unknown;

  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
