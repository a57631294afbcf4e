import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventStore, type StreamAppend } from '../../event-store/event-store';
import { decide, type ShoeCommandState, type ShoeEvent } from '../domain';
import { decisionStatesInline, loadDecisionStates, loadNameOwner, toDecisionStates } from '../read-model/decision-state.loaders';
import { SHARE_PROJECTION_WRITERS_LOCK } from '../read-model/projection-writers.lock';
import { findIdempotencyKey, rememberIdempotencyKey } from '../read-model/idempotency-keys';
import type { ShoeRow } from '../read-model/shoe-row';
import { ShoeReadCache } from '../read-model/shoe-read.cache';
import { projectShoeEvents, type ProjectedShoeEvent } from '../read-model/shoe.projection';
import { SHOE_STREAM_TYPE } from '../shoe-stream';
import { IdempotencyKeyConflict } from './idempotency-key-conflict.error';
import { idempotencyLockKey, nameLockKey, type ShoeWritePlan } from './shoe-write-plan';

/** Each command's answer: the shoe as its write left it (or as the request its idempotency key replays made it), or its rejection. */
export type WriteOutcome = { shoe: ShoeRow } | { error: unknown };

/** One command on its way through the steps. */
type Write = {
  plan: ShoeWritePlan;
  state?: ShoeCommandState;
  events: ShoeEvent[];
  /** Settled before the append: rejected, or replayed (answered with the shoe its key made). */
  rejected?: { error: unknown };
  replayedShoeId?: string;
};

/**
 * The one write path of the shoes feature (model: Emmett's handleCommand): every command, alone or in a group
 * commit's batch, takes the same steps in one PostgreSQL transaction. A batch is given one command per stream.
 * Writes to one shoe are serialized inside PostgreSQL by the stream's advisory lock, so concurrent writers queue
 * instead of failing; a stale `expectedVersion` is the domain's decision, not a race. A command's rejection
 * (a domain error, a replayed key with other input) settles only that command and writes nothing of it; a
 * statement that fails (a bug, the database) fails the whole transaction (RatingGroupCommit splits the batch).
 * Locks are taken in one order everywhere (writers', streams sorted, idempotency keys, name keys), so writers
 * queue and never deadlock.
 */
@Injectable()
export class ShoeWritePipeline {
  constructor(
    private readonly store: EventStore,
    private readonly cache: ShoeReadCache,
  ) {}

  /** A command on its own: the shoe it answers with, or its rejection thrown. */
  async runOne(plan: ShoeWritePlan): Promise<ShoeRow> {
    const [outcome] = await this.run([plan]);
    if ('error' in outcome) throw outcome.error;
    return outcome.shoe;
  }

  /**
   * Every command of `plans` (one per stream) in one transaction; outcomes in the order of `plans`. A batch of
   * ratings (the hot path) takes 3 round trips, marked RT1..RT3 below; the other steps cost round trips only for
   * the commands that need them (idempotency keys, names). Around the transaction, ShoeReadCache.beginWrite/endWrite:
   * the shoes answered with are in this instance's cache before the mutation answers (unless the feed already
   * announced a newer version), so the next read is a hit.
   */
  async run(plans: ShoeWritePlan[]): Promise<WriteOutcome[]> {
    const tickets = this.cache.beginWrite(plans.map((p) => p.streamId));
    let outcomes: WriteOutcome[] = [];
    try {
      outcomes = await this.transaction(plans);
      return outcomes;
    } finally {
      this.cache.endWrite(tickets, outcomes.flatMap((o) => ('shoe' in o ? [o.shoe] : [])));
    }
  }

  private transaction(plans: ShoeWritePlan[]): Promise<WriteOutcome[]> {
    const needs = plans.map(({ streamId, ratingOf }) => ({ shoeId: streamId, userId: ratingOf }));
    const load = decisionStatesInline(needs);
    // 0. + 1. + 3. (RT1: one message with BEGIN, so no parameters: store.transaction's options) The projection
    //    writers' lock, shared, held until COMMIT: a rebuild's last step takes it exclusively to wait for writes
    //    in flight and hold new ones back (read-model/projection-writers.lock.ts). Then every stream of the batch,
    //    locked in one sorted statement before anything is written (the append then gets its transaction id only
    //    after the stream's previous writer committed, keeping per-stream log order). Neither lock assigns a
    //    transaction id, which lockStreams insists on. Then step 3's load, see there.
    return this.store.transaction(
      async (tx, opened) => {
        const writes: Write[] = plans.map((plan) => ({ plan, events: [] }));
        // 1. (continued; a round trip per key, only for commands that carry one) The idempotency keys declared.
        for (const { idempotency } of plans) if (idempotency) await lock(tx, idempotencyLockKey(idempotency));
        // 2. (a round trip per key, as above) A replayed idempotent request answers with the shoe it made,
        //    appending nothing; the same key with other input is rejected.
        for (const write of writes) await replay(tx, write);
        // 3. (RT1) Load the decision states, from tables written in the same transactions as the log: every shoe
        //    (and rating) of the batch in one statement, guarded by the stream locks alone (a replayed command's
        //    state is loaded and not used). It is a statement of its own after the locks' one, in the same
        //    message, and that is what makes it correct: under READ COMMITTED a statement reads the snapshot taken
        //    when IT starts, so a load inside the locking statement would read, after waiting for a stream's
        //    lock, the shoe as it was BEFORE the writer it waited for committed. (Its own round trip only when a
        //    shoe id is not a canonical uuid and cannot be written into the text.) Then (creations and renames
        //    only, a round trip each) the name keys derived from the shoes, each locked, then read.
        const loaded = load && opened ? toDecisionStates(opened[0]) : await loadDecisionStates(tx, needs);
        const deciding = writes.filter((w) => !w.rejected && !w.replayedShoeId);
        for (const write of deciding) {
          const { shoe, currentSize } = loaded.get(write.plan.streamId)!;
          const nameKey = write.plan.nameKey?.(shoe) ?? null;
          if (nameKey !== null) await lock(tx, nameLockKey(nameKey));
          write.state = { shoe, currentSize, nameTakenBy: nameKey === null ? null : await loadNameOwner(tx, nameKey) };
        }
        // 4. Decide: the domain's pure decide, in memory; a rejection settles only its own command.
        for (const write of deciding) {
          try {
            write.events = decide(write.plan.command, write.state!);
          } catch (error) {
            write.rejected = { error };
          }
        }
        const accepted = deciding.filter((w) => !w.rejected);
        // 5. + 6. (RT2) Append every accepted command's events at the version it decided on, project them inline,
        //    and read back every shoe answered with, once: for ratings all in the append's one statement (the
        //    version check fails it whole; the unique (stream, version) is the backstop); a creation's or a
        //    rename's projection and the read-back take statements of their own after it (shoe.projection.ts).
        const appends = accepted.map(streamAppend);
        const projection = projectShoeEvents(appends.flatMap(toBeRecorded), [...new Set(writes.filter((w) => !w.rejected).map(shoeIdOf))]);
        const folded = projection.alongside
          ? await this.store.appendToStreamsWith<ShoeRow>(tx, appends, projection.alongside)
          : (await this.store.appendToStreams<ShoeEvent>(tx, appends), []);
        const shoes = await projection.finish(tx, folded);
        //    (a round trip per key, only for commands that carry one) Remember the idempotency keys.
        for (const { plan } of accepted) {
          const claim = plan.idempotency;
          if (claim) await rememberIdempotencyKey(tx, claim, { requestHash: claim.requestHash, shoeId: plan.streamId, at: plan.command.metadata.now });
        }
        // 7. (RT3) COMMIT, when this returns (store.transaction).
        return answer(writes, shoes);
      },
      { first: [SHARE_PROJECTION_WRITERS_LOCK], lockStreams: plans.map((p) => p.streamId), then: load ? [load] : undefined },
    );
  }
}

function lock(tx: EntityManager, key: string): Promise<unknown> {
  return tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
}

async function replay(tx: EntityManager, write: Write): Promise<void> {
  const claim = write.plan.idempotency;
  const seen = claim && (await findIdempotencyKey(tx, claim));
  if (!seen) return;
  if (seen.requestHash === claim.requestHash) write.replayedShoeId = seen.shoeId;
  else write.rejected = { error: new IdempotencyKeyConflict(claim.key) };
}

function streamAppend({ plan, state, events }: Write): StreamAppend<ShoeEvent> {
  const { shoe } = state!;
  return {
    streamId: plan.streamId,
    streamType: SHOE_STREAM_TYPE,
    events,
    expectedVersion: shoe.status === 'existing' ? shoe.version : 0,
    occurredAt: plan.command.metadata.now,
  };
}

/** The shoe a command answers with: the one its replayed key made, or its own. */
const shoeIdOf = (w: Write): string => w.replayedShoeId ?? w.plan.streamId;

/** An append's events as they will be recorded: at the versions after the expected one, at the command's time. */
function toBeRecorded({ streamId, events, expectedVersion, occurredAt }: StreamAppend<ShoeEvent>): ProjectedShoeEvent[] {
  return events.map((event, i) => ({ ...event, streamId, version: expectedVersion + i + 1, occurredAt }));
}

function answer(writes: Write[], shoes: ShoeRow[]): WriteOutcome[] {
  const byId = new Map(shoes.map((row) => [row.id, row]));
  return writes.map((w) => {
    if (w.rejected) return w.rejected;
    const shoe = byId.get(shoeIdOf(w));
    if (!shoe) throw new Error(`shoe ${shoeIdOf(w)} is not in the read model after its write`);
    return { shoe };
  });
}
