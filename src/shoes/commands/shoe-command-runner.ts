import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { EventStore } from '../../event-store/event-store';
import type { ShoeEvent } from '../domain/shoe.events';
import type { ShoeDecisionState } from '../domain/shoe';
import { applyShoeEvents } from '../projections/shoe.projection';
import { SHARE_PROJECTION_WRITERS_LOCK } from '../projections/projection-locks';
import { ShoeEntity } from '../projections/shoe.entity';
import { SHOE_STREAM_TYPE } from '../shoe-stream';
import { IdempotencyKeyConflict } from './idempotency-key-conflict.error';

/** What a command asks of the runner: which locks, what to load, and the pure decision. */
export type ShoeWrite = {
  shoeId: string;
  now: Date;
  /** extra advisory lock keys (e.g. the (brand, name) key), taken after the stream lock */
  lockKeys?: string[];
  idempotency?: { userId: string; mutation: string; key: string; input: unknown };
  decide: (tx: EntityManager, shoe: ShoeDecisionState) => Promise<ShoeEvent[]>;
};

/**
 * Runs one shoe command in one PostgreSQL transaction (model: Emmett's handleCommand).
 * Writes to one shoe are serialized inside PostgreSQL by the stream's advisory lock, so concurrent
 * writers queue instead of failing; a stale `expectedVersion` is the domain's decision, not a race.
 */
@Injectable()
export class ShoeCommandRunner {
  constructor(private readonly store: EventStore) {}

  run(write: ShoeWrite): Promise<ShoeEntity> {
    return this.store.transaction(async (tx) => {
      // 1. Lock first: an advisory lock assigns no transaction id, so the append below gets an xid
      //    only after the previous writer of this stream committed (keeps per-stream log order).
      await this.lock(tx, write);
      // 2. A replayed idempotent request returns the shoe it made, appending nothing.
      const replayed = await this.findReplay(tx, write);
      if (replayed) return this.readShoe(tx, replayed);
      // 3. Load the decision state from tables written in the same transaction as the log.
      const shoe = await loadDecisionState(tx, write.shoeId);
      // 4. Decide (pure; throws domain errors, which roll everything back).
      const events = await write.decide(tx, shoe);
      // 5. Append with the version we decided on; the unique (stream, version) is the backstop.
      const expectedVersion = shoe.status === 'existing' ? shoe.version : 0;
      const recorded = await this.store.append<ShoeEvent>(tx, write.shoeId, SHOE_STREAM_TYPE, events, {
        expectedVersion,
        occurredAt: write.now,
      });
      // 6. Project inline and remember the idempotency key, in the same transaction.
      await applyShoeEvents(tx, recorded);
      await this.rememberKey(tx, write);
      return this.readShoe(tx, write.shoeId);
    });
  }

  private async lock(tx: EntityManager, write: ShoeWrite): Promise<void> {
    const idem = write.idempotency;
    const keys = idem ? [`idempotency:${idem.userId}:${idem.mutation}:${idem.key}`] : [];
    // 0. The projection writers' lock, shared, held until COMMIT: an online rebuild's switch takes it
    //    exclusively to wait for writes in flight and hold new ones back (projection-locks.ts). It comes
    //    before the stream lock because it assigns no transaction id, which lockStreams insists on.
    await tx.query(SHARE_PROJECTION_WRITERS_LOCK);
    await this.store.lockStreams(tx, [write.shoeId]);
    for (const key of [...keys, ...(write.lockKeys ?? [])]) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
    }
  }

  private async findReplay(tx: EntityManager, write: ShoeWrite): Promise<string | null> {
    const idem = write.idempotency;
    if (!idem) return null;
    const rows: { request_hash: string; shoe_id: string }[] = await tx.query(
      `SELECT request_hash, shoe_id FROM idempotency_keys WHERE user_id = $1 AND mutation = $2 AND key = $3`,
      [idem.userId, idem.mutation, idem.key],
    );
    if (rows.length === 0) return null;
    if (rows[0].request_hash !== requestHash(idem.input)) throw new IdempotencyKeyConflict(idem.key);
    return rows[0].shoe_id;
  }

  private async rememberKey(tx: EntityManager, write: ShoeWrite): Promise<void> {
    const idem = write.idempotency;
    if (!idem) return;
    await tx.query(
      `INSERT INTO idempotency_keys (user_id, mutation, key, request_hash, shoe_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [idem.userId, idem.mutation, idem.key, requestHash(idem.input), write.shoeId, write.now],
    );
  }

  private async readShoe(tx: EntityManager, shoeId: string): Promise<ShoeEntity> {
    return tx.getRepository(ShoeEntity).findOneByOrFail({ id: shoeId });
  }
}

export async function loadDecisionState(tx: EntityManager, shoeId: string): Promise<ShoeDecisionState> {
  const row = await tx.getRepository(ShoeEntity).findOne({
    where: { id: shoeId },
    select: { id: true, name: true, brand: true, version: true },
  });
  return row ? { status: 'existing', shoeId, name: row.name, brand: row.brand, version: row.version } : { status: 'absent' };
}

/** The shoe id holding a (brand, name) key, if any. */
export async function loadNameOwner(tx: EntityManager, nameKey: string): Promise<string | null> {
  const rows: { id: string }[] = await tx.query(`SELECT id FROM shoes WHERE name_key = $1`, [nameKey]);
  return rows[0]?.id ?? null;
}

function requestHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}
