import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store (src/event-store): streams and the global log. Hand-written because TypeORM has no
 * xid8 type. Why the log carries transaction ids, and how it is read: src/event-store/event-store.sql.ts.
 * Needs PostgreSQL 13+ (xid8, pg_current_xact_id, pg_snapshot_xmin).
 */
export class EventStore1732400000000 implements MigrationInterface {
  name = 'EventStore1732400000000';

  async up(q: QueryRunner): Promise<void> {
    // The append's version check is an upsert on this row (optimistic concurrency per stream).
    await q.query(`
      CREATE TABLE event_streams (
        stream_id uuid PRIMARY KEY,
        stream_type text NOT NULL,
        version int NOT NULL
      )`);
    // transaction_id is filled by the inserting transaction itself; the log's order is
    // (transaction_id, global_position), read only below the xmin horizon.
    await q.query(`
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id uuid NOT NULL,
        stream_type text NOT NULL,
        version int NOT NULL,
        type text NOT NULL,
        schema_version int NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, version)
      )`);
    // readAll / headPosition walk this index; the unique one above serves reads of one stream by version.
    await q.query(`CREATE INDEX events_transaction_position_idx ON events (transaction_id, global_position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
    await q.query(`DROP TABLE event_streams`);
  }
}
