import { Injectable } from '@nestjs/common';
import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';
import { EventStore, type StreamAppend } from '../../event-store/event-store';
import { decide, type ShoeCommandState, type ShoeEvent } from '../domain';
import { decisionStatesInline, loadDecisionStates, loadNameOwner, toDecisionStates } from '../read-model/decision-state.loaders';
import { SHARE_PROJECTION_WRITERS_LOCK } from '../read-model/projection-writers.lock';
import {
  findIdempotencyKey,
  findIdempotencyKeyInline,
  rememberIdempotencyKey,
  rememberIdempotencyKeysCte,
  toSeenIdempotencyKey,
  type RememberedIdempotencyKey,
  type SeenIdempotencyKey,
} from '../read-model/idempotency-keys';
import type { ShoeRow } from '../read-model/shoe-row';
import { ShoeReadCache } from '../read-model/shoe-read.cache';
import { projectShoeEvents, type ProjectedShoeEvent, type ShoeProjection } from '../read-model/shoe.projection';
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
   * ratings (the hot path) takes 3 round trips, marked RT1..RT3 below, and so does an import with an idempotency
   * key (its lock and lookup ride in RT1, its insert in RT2); the other steps cost round trips only for the
   * commands that need them (names: a creation or a rename, and its projection). Around the transaction,
   * ShoeReadCache.beginWrite/endWrite: the shoes answered with are in this instance's cache before the mutation
   * answers (unless the feed already announced a newer version), so the next read is a hit.
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
    const keys = idempotencyStatementsInline(plans);
    // 0. + 1. + 2. + 3. (RT1: one message with BEGIN, so no parameters: store.transaction's options) The projection
    //    writers' lock, shared, held until COMMIT: a rebuild's last step takes it exclusively to wait for writes
    //    in flight and hold new ones back (read-model/projection-writers.lock.ts). Then every stream of the batch,
    //    locked in one sorted statement before anything is written (the append then gets its transaction id only
    //    after the stream's previous writer committed, keeping per-stream log order). Neither lock assigns a
    //    transaction id, which lockStreams insists on. Then each idempotency key's lock and lookup (step 2), and
    //    step 3's load, see there.
    return this.store.transaction(
      async (tx, opened) => {
        const writes: Write[] = plans.map((plan) => ({ plan, events: [] }));
        // 1. (continued) The idempotency keys declared, each locked; then 2. a replayed idempotent request answers
        //    with the shoe it made, appending nothing; the same key with other input is rejected. In RT1: a lock
        //    statement, then a lookup statement of its own (the lookup's snapshot is taken after the lock was
        //    granted, so it sees the key a concurrent retry committed: see step 3 for why it must be two). A round
        //    trip each only when RT1 could not carry them (a shoe id not a canonical uuid).
        for (const [i, write] of writes.entries()) {
          const claim = write.plan.idempotency;
          if (!claim) continue;
          if (!opened) await lock(tx, idempotencyLockKey(claim));
          settleReplay(write, opened ? toSeenIdempotencyKey(opened[keys.lookups[i]!]) : await findIdempotencyKey(tx, claim));
        }
        // 3. (RT1) Load the decision states, from tables written in the same transactions as the log: every shoe
        //    (and rating) of the batch in one statement, guarded by the stream locks alone (a replayed command's
        //    state is loaded and not used). It is a statement of its own after the locks' one, in the same
        //    message, and that is what makes it correct: under READ COMMITTED a statement reads the snapshot taken
        //    when IT starts, so a load inside the locking statement would read, after waiting for a stream's
        //    lock, the shoe as it was BEFORE the writer it waited for committed. (Its own round trip only when a
        //    shoe id is not a canonical uuid and cannot be written into the text.) Then (creations and renames
        //    only, a round trip each) the name keys derived from the shoes, each locked, then read.
        const loaded = load && opened ? toDecisionStates(opened[keys.statements.length]) : await loadDecisionStates(tx, needs);
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
        //    remember the accepted commands' idempotency keys, and read back every shoe answered with, once: for
        //    ratings all in the append's one statement (the version check fails it whole, keys included; the
        //    unique (stream, version) is the backstop); a creation's or a rename's projection and the read-back
        //    take statements of their own after it (shoe.projection.ts). A rejected command's key is not stored.
        const appends = accepted.map(streamAppend);
        const projection = projectShoeEvents(appends.flatMap(toBeRecorded), [...new Set(writes.filter((w) => !w.rejected).map(shoeIdOf))]);
        const remembered = accepted.flatMap(rememberedKey);
        // The append runs only when it has events; every accepted command has some, but if none had, the keys
        // would need a statement of their own rather than be silently dropped.
        const keysAlong = remembered.length > 0 && appends.some((a) => a.events.length > 0);
        const alongside = keysAlong ? withRememberedKeys(projection.alongside, remembered) : projection.alongside;
        const folded = alongside
          ? await this.store.appendToStreamsWith<ShoeRow>(tx, appends, alongside)
          : (await this.store.appendToStreams<ShoeEvent>(tx, appends), []);
        const shoes = await projection.finish(tx, projection.alongside ? folded : []);
        if (!keysAlong) for (const key of remembered) await rememberIdempotencyKey(tx, key);
        // 7. (RT3) COMMIT, when this returns (store.transaction).
        return answer(writes, shoes);
      },
      {
        first: [SHARE_PROJECTION_WRITERS_LOCK],
        lockStreams: plans.map((p) => p.streamId),
        then: load ? [...keys.statements, load] : undefined,
      },
    );
  }
}

/**
 * Step 1 and 2's statements for BEGIN's message: per idempotency key (in the plans' order), its lock and then its
 * lookup, as two statements; `lookups[i]` is the index among them of plan i's lookup.
 */
function idempotencyStatementsInline(plans: ShoeWritePlan[]): { statements: string[]; lookups: (number | undefined)[] } {
  const statements: string[] = [];
  const lookups = plans.map(({ idempotency }) => {
    if (!idempotency) return undefined;
    statements.push(lockInline(idempotencyLockKey(idempotency)), findIdempotencyKeyInline(idempotency));
    return statements.length - 1;
  });
  return { statements, lookups };
}

/** The projection's statement parts, with the keys' insert among them (or alone, beside an append without). */
function withRememberedKeys(projected: ShoeProjection['alongside'], keys: RememberedIdempotencyKey[]): NonNullable<ShoeProjection['alongside']> {
  return (param) => {
    const { ctes, select } = projected?.(param) ?? { ctes: [], select: 'SELECT NULL WHERE false' };
    return { ctes: [...ctes, rememberIdempotencyKeysCte(param, keys)], select };
  };
}

function rememberedKey({ plan }: Write): RememberedIdempotencyKey[] {
  const claim = plan.idempotency;
  return claim ? [{ ...claim, shoeId: plan.streamId, at: plan.command.metadata.now }] : [];
}

const lockSql = (key: string) => `SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;

function lock(tx: EntityManager, key: string): Promise<unknown> {
  return tx.query(lockSql('$1'), [key]);
}

/** lock's statement with the key written in, quoted, for BEGIN's message (as findIdempotencyKeyInline). */
function lockInline(key: string): string {
  return lockSql(escapeLiteral(key));
}

/** A key seen before: the same request replays the shoe it made; other input with the same key is a conflict. */
function settleReplay(write: Write, seen: SeenIdempotencyKey | null): void {
  if (!seen) return;
  if (seen.requestHash === write.plan.idempotency!.requestHash) write.replayedShoeId = seen.shoeId;
  else write.rejected = { error: new IdempotencyKeyConflict(write.plan.idempotency!.key) };
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
