import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far a rebuild has folded the log into the tables it is building (src/shoes/projections/
 * shoe-projection.rebuild.ts; this comment was updated when the two rebuilds became one, the schema is as it
 * was). Written in the same transaction as each checkpoint of those tables, so the row and the tables agree. The position is the log's own (transaction_id, global_position) pair, so SQL can
 * compare it with `events` directly (NULL before the first event).
 */
export class ProjectionCheckpoints1732400000200 implements MigrationInterface {
  name = 'ProjectionCheckpoints1732400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projection_checkpoints (
        projection text PRIMARY KEY,
        phase text NOT NULL,
        transaction_id xid8 NULL,
        global_position bigint NULL,
        events_applied bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE projection_checkpoints`);
  }
}
