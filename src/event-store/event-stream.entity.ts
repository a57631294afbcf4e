import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per stream: its type and current version, the row the append's version check updates.
 * The hand-written migration 1732400000000-event-store owns the table (`synchronize: false`, so
 * neither schema sync nor migration:generate ever touches it); this entity is for typed reads.
 */
@Entity({ name: 'event_streams', synchronize: false })
export class EventStreamEntity {
  @PrimaryColumn({ name: 'stream_id', type: 'uuid' })
  streamId: string;

  @Column({ name: 'stream_type', type: 'text' })
  streamType: string;

  @Column({ type: 'int' })
  version: number;
}
