import { EntityManager, QueryRunner } from 'typeorm';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store';
import { encodePosition } from '../../src/event-store/position';
import {
  appendLocked,
  eventually,
  newStreamId,
  openStoreKit,
  positions,
  readEverything,
  sleep,
  StoreKit,
  testEvents,
} from './event-store-test-kit';

/**
 * The global order: a reader following readAll with a cursor must see every committed event exactly
 * once, in (transaction_id, global_position) order, with each stream's versions 1..n in order, while
 * many transactions commit out of the order they got their positions in.
 */
const ROUNDS = 10;
const STREAMS = 8;
const WRITERS_PER_STREAM = 10;
const EARLY_XID_WRITERS_PER_ROUND = 12;

let kit: StoreKit;
/** The reader is "another instance": its own pool, so it never queues behind the writers. */
let reader: EventStore;

beforeAll(async () => {
  kit = await openStoreKit(16);
  reader = (await kit.openInstance(2)).store;
  await kit.dataSource.query(`CREATE TABLE scratch (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`);
});

afterAll(() => kit.close());

it('a polling reader sees every committed event once, in log order, under heavy concurrent appends', async () => {
  const started = Date.now();
  const streams = Array.from({ length: STREAMS }, newStreamId);
  const follower = followLog(reader);

  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all([
      ...streams.flatMap((streamId) =>
        Array.from({ length: WRITERS_PER_STREAM }, () => appendLocked(kit.store, streamId, randomEvents(), holdBriefly)),
      ),
      ...Array.from({ length: EARLY_XID_WRITERS_PER_ROUND }, (_, i) => earlyXidWriter(kit.store, i % 3 === 0)),
    ]);
  }
  const writersDone = Date.now();
  const [{ total }]: { total: string }[] = await kit.dataSource.query(`SELECT count(*) AS total FROM events`);
  const seen = await follower.stopAt(Number(total));

  const inLogOrder: { xid: string; pos: string }[] = await kit.dataSource.query(
    `SELECT transaction_id::text AS xid, global_position::text AS pos FROM events ORDER BY transaction_id, global_position`,
  );
  expect(new Set(positions(seen)).size).toBe(seen.length);
  expect(positions(seen)).toEqual(inLogOrder.map((r) => encodePosition(r.xid, r.pos)));
  for (const streamId of streams) {
    const versions = seen.filter((e) => e.streamId === streamId).map((e) => e.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  }
  // The log order really differs from global_position order (a naive reader would have had to skip).
  const inversions = seen.filter((e, i) => i > 0 && BigInt(e.globalPosition) < BigInt(seen[i - 1].globalPosition)).length;
  expect(inversions).toBeGreaterThan(0);

  process.stderr.write(
    `[ordering] ${ROUNDS} rounds, ${seen.length} events in ${STREAMS} locked streams + early-xid writers, ` +
      `writers ${writersDone - started} ms, reader caught up at ${Date.now() - started} ms, ` +
      `${follower.polls} readAll polls, ${inversions} global_position inversions in log order\n`,
  );
});

it('a naive ORDER BY global_position reader skips a late commit; readAll waits for it (the horizon)', async () => {
  const { store, dataSource } = kit;
  const [early, late] = [newStreamId(), newStreamId()];
  const [{ max }]: { max: string | null }[] = await dataSource.query(`SELECT max(global_position)::text AS max FROM events`);
  let naiveCursor = max ?? '0';
  const { head: start } = await eventually(() => caughtUp(store));

  // 1. An appender gets its position and its xid, and stays open.
  const open = await beginTransaction(kit);
  await store.lockStreams(open.manager, [early]);
  const [earlyEvent] = await store.append(open.manager, early, 'test', testEvents(1), { expectedVersion: 0, occurredAt: new Date() });
  // 2. A later appender commits a higher position meanwhile.
  const [lateEvent] = await appendLocked(store, late, testEvents(1));
  expect(BigInt(lateEvent.globalPosition)).toBeGreaterThan(BigInt(earlyEvent.globalPosition));

  // 3. The naive reader sees the late event and moves its cursor past the early one.
  const naive = async () => {
    const rows: { pos: string }[] = await dataSource.query(
      `SELECT global_position::text AS pos FROM events WHERE global_position > $1 ORDER BY global_position`,
      [naiveCursor],
    );
    naiveCursor = rows.at(-1)?.pos ?? naiveCursor;
    return rows.map((r) => r.pos);
  };
  expect(await naive()).toEqual([lateEvent.globalPosition]);
  // readAll returns neither: the open transaction's xid holds the horizon below both.
  expect(positions(await readEverything(store, { after: start }))).toEqual([]);

  // 4. The early transaction commits: the naive reader never sees it, readAll sees both, in log order.
  await open.commitTransaction();
  await open.release();
  expect(await naive()).toEqual([]);
  const both = await eventually(async () => {
    const events = await readEverything(store, { after: start });
    return events.length === 2 ? events : undefined;
  });
  expect(positions(both)).toEqual([earlyEvent.position, lateEvent.position]);
});

it('the trap: a writer that takes its xid before the stream lock lands version 2 before version 1', async () => {
  // Why lockStreams must be first (and refuses to run late): this writer does it the wrong way round.
  const { store, dataSource } = kit;
  const streamId = newStreamId();
  const wrong = await beginTransaction(kit);
  await wrong.query(`INSERT INTO scratch DEFAULT VALUES`); // xid assigned now
  await appendLocked(store, streamId, testEvents(1, 'first')); // a later xid, commits version 1
  await wrong.query(`SELECT pg_advisory_xact_lock(hashtextextended('stream:' || $1::uuid::text, 0))`, [streamId]);
  const [{ version }]: { version: number }[] = await wrong.query(`SELECT version FROM event_streams WHERE stream_id = $1`, [streamId]);
  await wrong.query(`UPDATE event_streams SET version = 2 WHERE stream_id = $1`, [streamId]);
  await wrong.query(
    `INSERT INTO events (stream_id, stream_type, version, type, data, occurred_at) VALUES ($1, 'test', $2, 'Second', '{}', now())`,
    [streamId, version + 1],
  );
  await wrong.commitTransaction();
  await wrong.release();

  const log = await eventually(async () => {
    const events = await dataSource.query(
      `SELECT version FROM events WHERE stream_id = $1 ORDER BY transaction_id, global_position`,
      [streamId],
    );
    return events.length === 2 ? (events as { version: number }[]) : undefined;
  });
  expect(log.map((e) => e.version)).toEqual([2, 1]);
});

/** Hold the stream lock for 0–2 ms before committing, so writers overlap and queue. */
async function holdBriefly(tx: EntityManager): Promise<void> {
  if (Math.random() < 0.5) await tx.query(`SELECT pg_sleep($1)`, [Math.random() * 0.002]);
}

/**
 * A different kind of writer: it takes its xid FIRST (a scratch-table insert), works for a while as
 * later transactions commit, then, if `withEvents`, records events (raw SQL, on a stream nobody else
 * writes, so it needs no stream lock). Its events get an old xid but a new position and commit late:
 * the reader must neither skip them nor see them before the older xids are settled.
 */
async function earlyXidWriter(store: EventStore, withEvents: boolean): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.query(`INSERT INTO scratch DEFAULT VALUES`);
    await tx.query(`SELECT pg_sleep($1)`, [0.002 + Math.random() * 0.01]);
    if (!withEvents) return;
    const count = 1 + Math.floor(Math.random() * 3);
    await tx.query(
      `INSERT INTO events (stream_id, stream_type, version, type, data, occurred_at)
       SELECT $1, 'early', v, 'EarlyHappened', '{}', now() FROM generate_series(1, $2::int) AS v`,
      [newStreamId(), count],
    );
  });
}

function randomEvents() {
  return testEvents(1 + Math.floor(Math.random() * 3));
}

/** Polls readAll with small random page sizes from its cursor until told how many events to expect. */
function followLog(store: EventStore) {
  const seen: RecordedEvent[] = [];
  let target = Infinity;
  let polls = 0;
  const done = (async () => {
    let after: string | null = null;
    while (seen.length < target) {
      const page: RecordedEvent[] = await store.readAll({ after, limit: 1 + Math.floor(Math.random() * 7) });
      polls += 1;
      seen.push(...page);
      if (page.length > 0) after = page[page.length - 1].position;
      else await sleep(1);
    }
  })();
  return {
    get polls() {
      return polls;
    },
    async stopAt(total: number): Promise<RecordedEvent[]> {
      target = total;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reader saw ${seen.length}/${total}`)), 30_000);
      });
      await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
      return seen;
    },
  };
}

/** The head, once every recorded event is below the horizon (nothing older can still commit). */
async function caughtUp(store: EventStore): Promise<{ head: string | null } | undefined> {
  const head = await store.headPosition();
  const [{ max }]: { max: string | null }[] = await store.dataSource.query(
    `SELECT (SELECT transaction_id::text || ':' || global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1) AS max`,
  );
  const latest = max === null ? null : encodePosition(...(max.split(':') as [string, string]));
  return head === latest ? { head } : undefined;
}

async function beginTransaction(k: StoreKit): Promise<QueryRunner> {
  const runner = k.dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction('READ COMMITTED');
  return runner;
}
