import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model and write-side decision state of the shoes slice (see src/shoes/read-model/shoe-row.ts). */
export class Shoes1732400000100 implements MigrationInterface {
  name = 'Shoes1732400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shoes (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        brand text NULL,
        name_key text NOT NULL CONSTRAINT shoes_name_key_unique UNIQUE,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL,
        rating_count int NOT NULL DEFAULT 0,
        rating_sum bigint NOT NULL DEFAULT 0,
        size_1 int NOT NULL DEFAULT 0,
        size_2 int NOT NULL DEFAULT 0,
        size_3 int NOT NULL DEFAULT 0,
        size_4 int NOT NULL DEFAULT 0,
        size_5 int NOT NULL DEFAULT 0
      )`);
    // One index per public sort order, matching its ORDER BY and keyset cursor exactly.
    await q.query(`CREATE INDEX shoes_name_order ON shoes (lower(name), id)`);
    await q.query(`CREATE INDEX shoes_created_order ON shoes (created_at DESC, id)`);
    await q.query(`CREATE INDEX shoes_most_rated_order ON shoes (rating_count DESC, lower(name), id)`);
    await q.query(`
      CREATE TABLE shoe_ratings (
        shoe_id uuid NOT NULL,
        user_id text NOT NULL,
        size smallint NOT NULL CHECK (size BETWEEN 1 AND 5),
        PRIMARY KEY (shoe_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id text NOT NULL,
        mutation text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        shoe_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, mutation, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE shoe_ratings`);
    await q.query(`DROP TABLE shoes`);
  }
}
