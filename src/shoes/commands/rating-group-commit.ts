import { Injectable, Optional } from '@nestjs/common';
import { EntityManager, In, QueryFailedError } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service';
import { EventStore, type StreamAppend } from '../../event-store/event-store';
import { type FitSize, type ShoeDecisionState, type TrueToSizeRetracted, type TrueToSizeSubmitted } from '../domain';
import { SHARE_PROJECTION_WRITERS_LOCK } from '../projections/projection-locks';
import { ShoeEntity } from '../projections/shoe.entity';
import { applyShoeEvents } from '../projections/shoe.projection';
import { SHOE_STREAM_TYPE } from '../shoe-stream';

type RatingEvent = TrueToSizeSubmitted | TrueToSizeRetracted;

/** One rating command (submit or retract) as the group commit sees it: its target and its pure decision. */
export type RatingWrite = {
  shoeId: string;
  userId: string;
  now: Date;
  /** The domain's decide (pure): throws a domain error to reject, [] for a no-op. */
  decide: (state: { shoe: ShoeDecisionState; currentSize: FitSize | null }) => RatingEvent[];
};

type Pending = RatingWrite & { resolve: (shoe: ShoeEntity) => void; reject: (error: unknown) => void };

/**
 * Group commit for ratings, the service's hot write: concurrent submit/retract commands (to any shoes) share
 * one transaction, so a burst of N ratings costs a handful of statements and one commit instead of N of each.
 *
 * Batching is natural, not timed: a batch starts as soon as a connection slot is free and takes whatever
 * queued meanwhile (at most `maxCommands`), so a lone rating never waits and a busy instance fills batches.
 * Every guarantee of the single-command path (ShoeCommandRunner) holds per command:
 * - one command's rejection (unknown shoe, bad size) rejects only that command: decisions are pure and made
 *   before anything is written, so a rejected command simply contributes no events;
 * - an unexpected database error fails the batch, which then retries each command in a transaction of its
 *   own, so it fails only the command that causes it (the "or equivalent" of a savepoint per command);
 * - a batch holds at most one rating per shoe (takeBatch), so each answer is the shoe right after its own
 *   write; further ratings of that shoe wait for a later batch.
 * Other commands (create, rename, import) stay on ShoeCommandRunner: rare, and they need locks on names
 * and idempotency keys that a batch would have to take for everyone.
 */
@Injectable()
export class RatingGroupCommit {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxCommands: number;
  private readonly concurrency: number;

  constructor(
    private readonly store: EventStore,
    @Optional() config?: AppConfigService,
  ) {
    this.maxCommands = config?.settings.writeGroup.maxCommands ?? 64;
    this.concurrency = config?.settings.writeGroup.concurrency ?? 2;
  }

  /** Resolves with the shoe as it stands after the batch that carried this command committed. */
  run(write: RatingWrite): Promise<ShoeEntity> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...write, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.commitOrSplit(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /**
   * The oldest queued commands, at most one per shoe: each command must answer with the shoe as its own write
   * left it (its `version` is its event's), which a second rating of the same shoe in the batch would move on.
   * Later ratings of a shoe wait for the next batch, in arrival order.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const shoes = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.maxCommands; ) {
      const shoeId = this.queue[i].shoeId.toLowerCase();
      if (shoes.has(shoeId)) {
        i += 1;
        continue;
      }
      shoes.add(shoeId);
      batch.push(...this.queue.splice(i, 1));
    }
    return batch;
  }

  private async commitOrSplit(batch: Pending[]): Promise<void> {
    try {
      await this.commit(batch);
    } catch (error) {
      // A statement failed (nothing of the batch was written). Alone, each command either succeeds or fails
      // by itself. Connection-level failures (database down) are not retried: they would fail again N times.
      if (batch.length === 1 || !(error instanceof QueryFailedError)) {
        for (const p of batch) p.reject(error);
        return;
      }
      for (const p of batch) await this.commitOrSplit([p]);
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const settled = await this.store.transaction(async (tx) => {
      const shoeIds = [...new Set(batch.map((p) => p.shoeId.toLowerCase()))];
      // 1. Locks before any write (no transaction id yet): the projection writers' lock shared, then every
      //    stream of the batch in one sorted statement, so batches on other instances queue, never deadlock.
      await tx.query(SHARE_PROJECTION_WRITERS_LOCK);
      await this.store.lockStreams(tx, shoeIds);
      // 2. One statement loads every command's decision state (shoe + the user's current rating).
      const state = await loadRatingStates(tx, batch);
      // 3. Decide each command (pure, in memory; one per shoe, see takeBatch).
      const outcomes = batch.map((p) => decideOne(p, state));
      // 4. Append every accepted event at the version its command decided on: two statements for the batch.
      const recorded = await this.store.appendToStreams(tx, streamAppends(outcomes, state));
      // 5. Project inline (one statement for the whole batch), then read back every touched shoe once.
      await applyShoeEvents(tx, recorded);
      const shoes = await tx.getRepository(ShoeEntity).findBy({ id: In(shoeIds) });
      return { outcomes, shoes: new Map(shoes.map((s) => [s.id, s])) };
    });
    // 6. Committed: answer every command (a rejected one with its own domain error).
    for (const { pending, error } of settled.outcomes) {
      if (error !== undefined) pending.reject(error);
      else pending.resolve(settled.shoes.get(pending.shoeId.toLowerCase())!);
    }
  }
}

/** Per shoe (a batch holds one command per shoe): what its command decides on. */
type BatchState = Map<string, { shoe: ShoeDecisionState; currentSize: FitSize | null }>;

type Outcome = { pending: Pending; events: RatingEvent[]; error?: unknown };

async function loadRatingStates(tx: EntityManager, batch: Pending[]): Promise<BatchState> {
  const rows: { shoe_id: string; name: string | null; brand: string | null; version: number | null; size: number | null }[] =
    await tx.query(
      `SELECT q.shoe_id::text AS shoe_id, s.name, s.brand, s.version, r.size
       FROM unnest($1::uuid[], $2::text[]) AS q(shoe_id, user_id)
       LEFT JOIN shoes s ON s.id = q.shoe_id
       LEFT JOIN shoe_ratings r ON r.shoe_id = q.shoe_id AND r.user_id = q.user_id`,
      [batch.map((p) => p.shoeId), batch.map((p) => p.userId)],
    );
  const state: BatchState = new Map();
  for (const row of rows) {
    const shoeId = row.shoe_id.toLowerCase();
    const shoe: ShoeDecisionState =
      row.version === null ? { status: 'absent' } : { status: 'existing', shoeId, name: row.name!, brand: row.brand, version: row.version };
    state.set(shoeId, { shoe, currentSize: (row.size as FitSize | null) ?? null });
  }
  return state;
}

function decideOne(pending: Pending, state: BatchState): Outcome {
  try {
    return { pending, events: pending.decide(state.get(pending.shoeId.toLowerCase())!) };
  } catch (error) {
    return { pending, events: [], error };
  }
}

/** One append per command with events, at the version its shoe had when the batch loaded it. */
function streamAppends(outcomes: Outcome[], state: BatchState): StreamAppend<RatingEvent>[] {
  return outcomes
    .filter(({ events }) => events.length > 0)
    .map(({ pending, events }) => {
      const { shoe } = state.get(pending.shoeId.toLowerCase())!;
      return {
        streamId: pending.shoeId.toLowerCase(),
        streamType: SHOE_STREAM_TYPE,
        events,
        expectedVersion: shoe.status === 'existing' ? shoe.version : 0,
        occurredAt: pending.now,
      };
    });
}
