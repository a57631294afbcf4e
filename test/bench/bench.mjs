/* global process, console, setInterval, clearInterval, setImmediate, URL, fetch */
// `npm run bench [-- --quick]`: issue 4's scenarios, each ours vs a baseline measured in the same run, in
// alternation. BENCH_LIVE_SECONDS overrides L's duration (3 s quick, 10 s full). Plain ESM JavaScript (no build step of its own); the service under test is the built
// `node dist/main.js` in its own process. Prints one table and writes it as JSON to bench-results/.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { children, cleanUpOnExit, freePort, freshDatabase, makeAgent, request, ROOT, rssMb, runScript, sleep, spawnChild, waitFor } from './harness.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const WebSocket = require('ws');
const { createClient } = require('graphql-ws');

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const QUICK = args.quick;
// `--only W,R` runs just those scenarios (letters W R G B M L): for measuring one change quickly, never for the README table.
const ONLY = args.only ? new Set(args.only.toUpperCase().split(/[\s,]+/).filter(Boolean)) : null;
const want = (letter) => !ONLY || ONLY.has(letter);
const CFG = QUICK
  ? { roundSeconds: 3, rounds: 2, growthImport: 100_000, growthWrites: 100, growthReads: 300, subscriptions: 10_000, rebuildEvents: 200_000 }
  : { roundSeconds: 10, rounds: 3, growthImport: 1_000_000, growthWrites: 400, growthReads: 1_000, subscriptions: 10_000, rebuildEvents: 1_000_000 };
const SHOES = 1000;
const WRITE_CLIENTS = 32;
const READ_CONNECTIONS = 64;
const SUBS_PER_SOCKET = 100;
// BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": extra node flags for the server processes (profiling).
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---------------------------------------------------------------- processes and clean-up
const { cleanups, cleanup } = cleanUpOnExit(log);
const serverLogs = []; // the last lines of each server's output, written next to the JSON

// ---------------------------------------------------------------- HTTP
function gqlCaller(agent, port) {
  return async (query, variables, token) => {
    const res = await request(agent, port, 'POST', '/graphql', { query, variables }, token ? { authorization: `Bearer ${token}` } : {});
    const json = JSON.parse(res.text);
    if (json.errors) throw new Error(`GraphQL error: ${JSON.stringify(json.errors).slice(0, 500)}`);
    return json.data;
  };
}

// ---------------------------------------------------------------- statistics
function summary(latencies, seconds) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return { count: sorted.length, perSecond: seconds ? sorted.length / seconds : undefined, mean, p50: at(0.5), p99: at(0.99) };
}

/** `workers` loops, each calling `op(workerIndex)` until `seconds` are up; throughput and latency. */
async function closedLoop(workers, seconds, op) {
  const latencies = [];
  let errors = 0;
  let firstError;
  const cpu0 = cpuSample();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await op(w);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= error;
          if (errors > 50) throw firstError;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  if (errors) log(`  ${errors} errors, first: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  return { ...summary(latencies, elapsed), errors, cpu: cpuPercent(cpu0, cpuSample()) };
}

/** Alternates ours and the baseline `rounds` times; sums the counts over rounds. */
async function alternate(name, rounds, ours, baseline) {
  const o = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    const x = await ours();
    log(`  ${name} round ${r + 1} ours: ${x.perSecond.toFixed(0)}/s p50 ${x.p50.toFixed(2)} ms p99 ${x.p99.toFixed(2)} ms; cpu% ${JSON.stringify(x.cpu)}`);
    o.push(x);
    const y = await baseline();
    log(`  ${name} round ${r + 1} baseline: ${y.perSecond.toFixed(0)}/s p50 ${y.p50.toFixed(2)} ms p99 ${y.p99.toFixed(2)} ms; cpu% ${JSON.stringify(y.cpu)}`);
    b.push(y);
  }
  const total = (list) => list.reduce((a, x) => a + x.perSecond, 0) / list.length;
  return { ours: total(o), baseline: total(b), oursRounds: o, baselineRounds: b };
}

// CPU of the processes involved, from /proc (Linux): ticks of the server, of the embedded cluster's postgres
// processes, of the bench itself (the load generator, and the W baseline's pg client) and of the read baseline.
const cpuWatch = { serverPid: undefined, postmasterPid: undefined, baselinePid: undefined };
const TICK_MS = 10; // USER_HZ is 100 on Linux
function ticks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime, and cutime + cstime: the time of exited children it reaped (postgres backends)
    return { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return { ppid: 0, cpu: 0, reaped: 0 };
  }
}
function postgresTicks() {
  if (!cpuWatch.postmasterPid) return NaN;
  const postmaster = ticks(cpuWatch.postmasterPid);
  let total = postmaster.cpu + postmaster.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = ticks(entry);
    if (t.ppid === cpuWatch.postmasterPid) total += t.cpu;
  }
  return total;
}
function cpuSample() {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    server: cpuWatch.serverPid ? ticks(cpuWatch.serverPid).cpu : NaN,
    postgres: postgresTicks(),
    baseline: cpuWatch.baselinePid ? ticks(cpuWatch.baselinePid).cpu : NaN,
    bench: (own.user + own.system) / 1000 / TICK_MS,
  };
}
/** Percent of one core each process used between two samples (dead postgres backends' time is lost: a lower bound). */
function cpuPercent(a, b) {
  const ms = b.at - a.at;
  const pct = (k) => Math.round(((b[k] - a[k]) * TICK_MS * 100) / ms);
  return { server: pct('server'), postgres: pct('postgres'), bench: pct('bench'), readBaseline: pct('baseline') };
}

/** The whole machine's busy and total jiffies (/proc/stat), to see load from outside the bench (other jobs). */
function machineTicks() {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}


// ---------------------------------------------------------------- the run
const SHOE_FIELDS = 'id name brand createdAt updatedAt version trueToSize { average count distribution { size count } }';
const SUBMIT = `mutation S($id: ID!, $size: Int!) { submitTrueToSize(input: { shoeId: $id, size: $size }) { id version } }`;
const READ = `query R($id: ID!) { shoe(id: $id) { ${SHOE_FIELDS} } }`;
const READ_BODY = (id) => JSON.stringify({ query: READ, variables: { id } });

async function main() {
  const startedAt = new Date();
  log(`mode: ${QUICK ? 'quick' : 'full'}; building dist/ and dist-bench/`);
  // Only the server's part of `npm run build` (tsc -p tsconfig.build.json): dist/ is what runs here. The synthetic
  // log generator of scenario B is a test tool, not part of dist/: tsconfig.bench.json compiles it to dist-bench/.
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  await Promise.all([runToEnd('build', tsc, ['-p', 'tsconfig.build.json']), runToEnd('build', tsc, ['-p', 'tsconfig.bench.json'])]);
  // Only now: in a fresh clone dist/ does not exist before this build.
  const { mintToken } = require(path.join(ROOT, 'dist/auth/jwt.js'));

  // 1. A fresh database: a throwaway database on DATABASE_URL's server, or an embedded cluster in a temp folder.
  const jwtSecret = randomBytes(32).toString('hex');
  const port = await freePort();
  const serverEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|EMBEDDED_POSTGRES_\w+|PORT|HOST|NODE_ENV|LOG_\w+|JWT_SECRET|RATE_LIMIT_\w+|WS_\w+)$/.test(k))),
    NODE_ENV: 'production',
    JWT_SECRET: jwtSecret,
    HOST: '127.0.0.1',
    PORT: String(port),
    // The production default (info: one line per HTTP operation, JSON), so R and W pay for the log as production
    // does; BENCH_LOG_LEVEL=warn measures without it.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    // Off by default (every writer shares one address); BENCH_RATE_LIMIT_PER_MINUTE turns both limits on, that high,
    // to measure what checking them costs (set it above what the run can reach so nothing is refused).
    RATE_LIMIT_USER_PER_MINUTE: process.env.BENCH_RATE_LIMIT_PER_MINUTE ?? '0',
    RATE_LIMIT_ADDRESS_PER_MINUTE: process.env.BENCH_RATE_LIMIT_PER_MINUTE ?? '0',
    // M and L open 100+ sockets from this one address (the default allows 64).
    WS_MAX_SOCKETS_PER_ADDRESS: '0',
  };
  const database = await freshDatabase({ prefix: 'tts_bench', serverEnv, cleanups, log });
  let databaseUrl = database.kind === 'DATABASE_URL' ? database.url : undefined;

  log(`starting the server (node dist/main.js) on port ${port}`);
  const server = spawnChild('server', process.execPath, [...SERVER_NODE_ARGS, path.join(ROOT, 'dist/main.js')], serverEnv);
  cleanups.push(async () => {
    await server.stop();
    log('server stopped');
  });
  await waitFor('server', async () => (await request(undefined, port, 'GET', '/health/ready')).status === 200, 120_000, server);
  if (!databaseUrl) {
    const { readPassword } = require(path.join(ROOT, 'dist/database/embedded-postgres-location.js'));
    const password = (await readPassword(database.dir)).trim();
    databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${database.port}/true_to_size`;
  }
  cpuWatch.serverPid = server.pid;
  if (database.kind === 'embedded') {
    // The start-up line, plain or as a JSON log line (LOG_FORMAT json at LOG_LEVEL info): the path ends at a quote.
    const m = /data in ([^\s"]+)/.exec(server.output());
    const dataDir = m ? m[1] : database.dir;
    cpuWatch.postmasterPid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  }
  log(`server pid ${server.pid} ready; database: ${database.kind}${cpuWatch.postmasterPid ? `, postmaster pid ${cpuWatch.postmasterPid}` : ' (postgres CPU not sampled)'}`);

  const results = [];
  const row = (r) => {
    results.push(r);
    log(`=> ${r.scenario}: ours ${fmt(r.ours)} ${r.unit ?? ''}, baseline ${fmt(r.baseline)}, ratio ${fmt(r.ratio)} (goal ${r.goal}) ${r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL'}`);
  };

  const agent = makeAgent(READ_CONNECTIONS);
  const gql = gqlCaller(agent, port);
  const token = (sub, roles = []) => mintToken({ sub, roles, expiresInSeconds: 3600 * 4 }, jwtSecret);
  const admin = await token('bench-admin', ['admin']);

  // 2. 1,000 shoes.
  log(`creating ${SHOES} shoes`);
  const shoeIds = [];
  const runId = randomUUID().slice(0, 8);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < SHOES) {
        const i = next++;
        const d = await gql(`mutation C($name: String!) { createShoe(input: { name: $name, brand: "bench" }) { id } }`, { name: `Bench ${runId} ${i}` }, admin);
        shoeIds.push(d.createShoe.id);
      }
    }),
  );

  // 3. Baseline tables for W: an events-like table and a projection table, in a schema of their own.
  const pool = new Pool({ connectionString: databaseUrl, max: WRITE_CLIENTS });
  cleanups.push(() => pool.end());
  await pool.query(`DROP SCHEMA IF EXISTS bench_baseline CASCADE; CREATE SCHEMA bench_baseline;
    CREATE TABLE bench_baseline.events (global_position bigserial PRIMARY KEY, stream_id uuid NOT NULL, version int NOT NULL,
      type text NOT NULL, data jsonb NOT NULL, occurred_at timestamptz NOT NULL, UNIQUE (stream_id, version));
    CREATE TABLE bench_baseline.shoes (id uuid PRIMARY KEY, version int NOT NULL DEFAULT 1, rating_count int NOT NULL DEFAULT 0,
      rating_sum bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO bench_baseline.shoes (id) SELECT id FROM shoes;`);

  // W: 32 users, random shoes, each call a different size than this user's last one for that shoe.
  log(`W write: ${WRITE_CLIENTS} clients, ${CFG.rounds} x ${CFG.roundSeconds} s each side`);
  const writers = await Promise.all(Array.from({ length: WRITE_CLIENTS }, (_, i) => token(`bench-writer-${i}`)));
  const lastSize = Array.from({ length: WRITE_CLIENTS }, () => new Map());
  const nextSize = (w, shoe) => {
    const prev = lastSize[w].get(shoe) ?? 0;
    const size = (prev % 5) + 1; // 1..5, never the previous one
    lastSize[w].set(shoe, size);
    return size;
  };
  const pick = () => shoeIds[Math.floor(Math.random() * shoeIds.length)];
  const writeAgent = makeAgent(WRITE_CLIENTS);
  const writeGql = gqlCaller(writeAgent, port);
  if (want('W')) {
    const w = await alternate(
      'W',
      CFG.rounds,
      () =>
        closedLoop(WRITE_CLIENTS, CFG.roundSeconds, async (i) => {
          const shoe = pick();
          await writeGql(SUBMIT, { id: shoe, size: nextSize(i, shoe) }, writers[i]);
        }),
      () =>
        closedLoop(WRITE_CLIENTS, CFG.roundSeconds, async () => {
          const client = await pool.connect();
          try {
            const shoe = pick();
            const size = 1 + Math.floor(Math.random() * 5);
            await client.query('BEGIN');
            const { rows } = await client.query(
              'UPDATE bench_baseline.shoes SET version = version + 1, rating_count = rating_count + 1, rating_sum = rating_sum + $2, updated_at = now() WHERE id = $1 RETURNING version',
              [shoe, size],
            );
            await client.query(
              `INSERT INTO bench_baseline.events (stream_id, version, type, data, occurred_at) VALUES ($1, $2, 'TrueToSizeSubmitted', $3, now())`,
              [shoe, rows[0].version, JSON.stringify({ userId: 'u', size })],
            );
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          } finally {
            client.release();
          }
        }),
    );
    row({ scenario: 'W write (32 clients)', unit: 'writes/s', rounds: w, ours: w.ours, baseline: w.baseline, ratio: w.ours / w.baseline, goal: '>= 1.0', pass: w.ours / w.baseline >= 1.0 });
  }

  if (want('R')) {
    // R: shoe(id), full selection, 64 connections; baseline: bare node:http + pg pool in its own process.
    log(`R read: ${READ_CONNECTIONS} connections`);
    const basePort = await freePort();
    const baseline = spawnChild('baseline-read', process.execPath, [...SERVER_NODE_ARGS, path.join(ROOT, 'test/bench/baseline-read-server.mjs')], {
      ...process.env,
      BASELINE_DATABASE_URL: databaseUrl,
      BASELINE_PORT: String(basePort),
      BASELINE_POOL_SIZE: '10', // the service's default DATABASE_POOL_SIZE
    });
    cleanups.push(() => baseline.stop(5000));
    cpuWatch.baselinePid = baseline.pid;
    await waitFor('baseline read server', async () => (await request(undefined, basePort, 'GET', `/shoe?id=${shoeIds[0]}`)).status === 200, 20_000, baseline);
    const readAgent = makeAgent(READ_CONNECTIONS);
    const baseAgent = makeAgent(READ_CONNECTIONS);
    const r = await alternate(
      'R',
      CFG.rounds,
      () =>
        closedLoop(READ_CONNECTIONS, CFG.roundSeconds, async () => {
          const res = await request(readAgent, port, 'POST', '/graphql', READ_BODY(pick()));
          if (res.status !== 200 || res.text.includes('"errors"')) throw new Error(`read: ${res.status} ${res.text.slice(0, 200)}`);
        }),
      () =>
        closedLoop(READ_CONNECTIONS, CFG.roundSeconds, async () => {
          const res = await request(baseAgent, basePort, 'GET', `/shoe?id=${pick()}`);
          if (res.status !== 200) throw new Error(`baseline read: ${res.status}`);
        }),
    );
    readAgent.destroy();
    baseAgent.destroy();
    await baseline.stop(5000);
    row({ scenario: 'R read shoe(id) (64 conns)', unit: 'reads/s', rounds: r, ours: r.ours, baseline: r.baseline, ratio: r.ours / r.baseline, goal: '>= 0.6', pass: r.ours / r.baseline >= 0.6 });
  }

  if (want('G')) {
    // G: a shoe with 10 ratings vs one with CFG.growthImport imported ratings.
    log(`G growth: importing ${CFG.growthImport} ratings in batches of 10,000`);
    const CREATE_G = `mutation C($name: String!) { createShoe(input: { name: $name, brand: "bench" }) { id } }`;
    const small = (await gql(CREATE_G, { name: `Bench ${runId} growth small` }, admin)).createShoe.id;
    const big = (await gql(CREATE_G, { name: `Bench ${runId} growth big` }, admin)).createShoe.id;
    const IMPORT = `mutation I($id: ID!, $sizes: [Int!]!) { importTrueToSizes(input: { shoeId: $id, sizes: $sizes }) { trueToSize { count } } }`;
    await gql(IMPORT, { id: small, sizes: [1, 2, 3, 4, 5, 1, 2, 3, 4, 5] }, admin);
    const batch = Array.from({ length: 10_000 }, (_, i) => 1 + (i % 5));
    const importStarted = performance.now();
    for (let done = 0; done < CFG.growthImport; done += batch.length) await gql(IMPORT, { id: big, sizes: batch }, admin);
    const importSeconds = (performance.now() - importStarted) / 1000;
    const counts = await gql(`query { a: shoe(id: "${small}") { trueToSize { count } } b: shoe(id: "${big}") { trueToSize { count } } }`);
    log(`  imported in ${importSeconds.toFixed(1)} s; counts: small ${counts.a.trueToSize.count}, big ${counts.b.trueToSize.count}`);
    const growthUsers = await Promise.all(Array.from({ length: 8 }, (_, i) => token(`bench-growth-${i}`)));
    const growthSize = new Map();
    const growthWrite = async (shoe, n) => {
      const lat = [];
      for (let i = 0; i < n; i++) {
        const u = i % growthUsers.length;
        const key = `${u}:${shoe}`;
        const size = ((growthSize.get(key) ?? 0) % 5) + 1;
        growthSize.set(key, size);
        const t0 = performance.now();
        await gql(SUBMIT, { id: shoe, size }, growthUsers[u]);
        lat.push(performance.now() - t0);
      }
      return lat;
    };
    const growthRead = async (shoe, n) => {
      const lat = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await gql(READ, { id: shoe });
        lat.push(performance.now() - t0);
      }
      return lat;
    };
    // Warm up, then alternate in blocks of 20 (one client, sequential: latency, not throughput).
    await growthWrite(small, 20);
    await growthWrite(big, 20);
    const gw = { small: [], big: [] };
    const gr = { small: [], big: [] };
    for (let i = 0; i < CFG.growthWrites; i += 20) {
      gw.small.push(...(await growthWrite(small, 20)));
      gw.big.push(...(await growthWrite(big, 20)));
    }
    for (let i = 0; i < CFG.growthReads; i += 50) {
      gr.small.push(...(await growthRead(small, 50)));
      gr.big.push(...(await growthRead(big, 50)));
    }
    const gws = { small: summary(gw.small), big: summary(gw.big) };
    const grs = { small: summary(gr.small), big: summary(gr.big) };
    const bigLabel = CFG.growthImport >= 1_000_000 ? `${CFG.growthImport / 1_000_000}M` : `${CFG.growthImport / 1000}k`;
    row({ scenario: `G write p50 ms (${bigLabel} vs 10 ratings)`, unit: 'ms', ours: gws.big.p50, baseline: gws.small.p50, ratio: gws.big.p50 / gws.small.p50, goal: '<= 1.2', pass: gws.big.p50 / gws.small.p50 <= 1.2, detail: gws });
    row({ scenario: `G read p50 ms (${bigLabel} vs 10 ratings)`, unit: 'ms', ours: grs.big.p50, baseline: grs.small.p50, ratio: grs.big.p50 / grs.small.p50, goal: '<= 1.2', pass: grs.big.p50 / grs.small.p50 <= 1.2, detail: grs });
  }

  writeAgent.destroy();

  if (want('B')) await rebuildScenario({ serverEnv, databaseUrl, pool, row });

  if (want('M')) {
    // M: resident memory added by 10,000 idle shoeEvents subscriptions, SUBS_PER_SOCKET per graphql-ws socket.
    const sockets = Math.ceil(CFG.subscriptions / SUBS_PER_SOCKET);
    log(`M memory: ${CFG.subscriptions} shoeEvents subscriptions over ${sockets} graphql-ws sockets`);
    const activeSubs = async () => {
      const res = await request(undefined, port, 'GET', '/metrics');
      const line = /^tts_subscriptions_active(?:\{[^}]*\})? (\S+)$/m.exec(res.text);
      return line ? Number(line[1]) : NaN;
    };
    await sleep(1000);
    const rssBefore = rssMb(server.pid);
    const detailBefore = await memoryDetail(port, 'before');
    const clients = [];
    let subErrors = 0;
    for (let s = 0; s < sockets; s++) {
      const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, on: { error: () => subErrors++ } });
      clients.push(client);
      for (let k = 0; k < SUBS_PER_SOCKET && s * SUBS_PER_SOCKET + k < CFG.subscriptions; k++) {
        const filtered = k % 2 === 0;
        client.subscribe(
          { query: filtered ? `subscription S($id: ID) { shoeEvents(shoeId: $id) { position } }` : 'subscription { shoeEvents { position } }', variables: filtered ? { id: pick() } : {} },
          { next: () => undefined, error: () => subErrors++, complete: () => undefined },
        );
      }
    }
    cleanups.push(async () => {
      for (const c of clients) await c.dispose();
    });
    await waitFor('subscriptions active', async () => (await activeSubs()) >= CFG.subscriptions, 60_000, server).catch(async (error) => {
      log(`  only ${await activeSubs()} subscriptions active (${subErrors} errors)`);
      throw error;
    });
    await sleep(2000);
    const rssAfter = rssMb(server.pid);
    const detailAfter = await memoryDetail(port, 'after');
    const added = rssAfter - rssBefore;
    log(`  RSS ${rssBefore.toFixed(0)} MB -> ${rssAfter.toFixed(0)} MB with ${await activeSubs()} active subscriptions (${subErrors} errors)`);
    log(`  M detail, MB before -> after: ${describeMemoryDetail(detailBefore, detailAfter)}`);
    row({
      scenario: `M memory (${CFG.subscriptions} idle subs / ${sockets} sockets)`,
      unit: 'MB added',
      ours: added,
      baseline: undefined,
      ratio: undefined,
      goal: '< 500 MB',
      pass: added < 500,
      rssBefore,
      rssAfter,
      detailBefore,
      detailAfter,
    });
    for (const c of clients) await c.dispose();
    clients.length = 0;
  }

  if (want('L')) await liveScenario({ server, serverEnv, databaseUrl, port, pick, shoeIds, token, row });

  agent.destroy();
  printTable(results);
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  const file = path.join(ROOT, 'bench-results', `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt, finishedAt: new Date(), mode: QUICK ? 'quick' : 'full', config: CFG, database: database.kind, cpus: os.cpus().length, node: process.version, serverEnv: { DATABASE_POOL_SIZE: serverEnv.DATABASE_POOL_SIZE ?? '10 (default)' }, results }, null, 2)}\n`,
  );
  serverLogs.push(`--- first instance ---\n${server.output()}`);
  writeFileSync(file.replace(/\.json$/, '.server.log'), `${serverLogs.join('\n')}\n`);
  log(`wrote ${path.relative(ROOT, file)} (and the servers' last log lines in .server.log)`);
}

/**
 * B: `projections:rebuild` (offline, node dist/shoes/projections/rebuild.cli.js) over a log of CFG.rebuildEvents
 * events. The API makes a few hundred events per second, so the log is filled up with a synthetic one
 * (test/support/synthetic-shoe-log/synthetic-shoe-log.ts): every event decided by the domain against the state the ones before
 * it left, continuing the streams the scenarios above wrote, plus new shoes; written straight into the events
 * table as the store writes it, in batches, without the read model. So the first rebuild finds every shoe
 * behind and repairs it (the measured run), and is checked against the generator's own fold, row by row and
 * rating by rating; a second run must then find nothing to repair (the cost of a routine check).
 * CPU: the rebuild process's own, and PostgreSQL's (all its processes) over the rebuild's life.
 */
async function rebuildScenario({ serverEnv, databaseUrl, pool, row }) {
  const generator = path.join(ROOT, 'dist-bench/test/support/synthetic-shoe-log');
  const { SyntheticShoeLog } = require(path.join(generator, 'synthetic-shoe-log.js'));
  const { checkReadModel, loadSyntheticShoes, writeSyntheticEvents } = require(path.join(generator, 'synthetic-shoe-log.writer.js'));
  const client = await pool.connect();
  try {
    const { rows: before } = await client.query(`SELECT count(*)::int AS n FROM events`);
    const toMake = Math.max(0, CFG.rebuildEvents - before[0].n);
    const shoes = await loadSyntheticShoes(client);
    log(`B rebuild: the log has ${before[0].n} events; generating ${toMake} more over ${shoes.length} shoes (+100 new)`);
    const synthetic = new SyntheticShoeLog({ events: toMake, shoes, newShoes: 100, users: 100_000, userPrefix: 'bench-synthetic-', seed: 42 });
    const started = performance.now();
    let written = 0;
    for (const batch of synthetic.batches(10_000)) {
      await writeSyntheticEvents(client, batch);
      written += batch.length;
      if (written % 200_000 === 0) log(`  ${written} events written`);
    }
    const c = synthetic.counts;
    log(
      `  wrote ${written} events in ${((performance.now() - started) / 1000).toFixed(1)} s: ${c.TrueToSizeSubmitted} ratings (${c.resubmits} changing a previous one), ` +
        `${c.TrueToSizeRetracted} retractions, ${c.TrueToSizesImported} imports (${c.v1Imports} in the v1 shape, ${c.importedSizes} sizes), ${c.ShoeRenamed} renames, ${c.ShoeCreated} new shoes`,
    );
    // As after any bulk load: VACUUM sets the hint bits and the visibility map and ANALYZE the statistics, which
    // autovacuum would otherwise do while the rebuild runs (and a log that has been around has had done long ago).
    const vacuumStarted = performance.now();
    await client.query(`VACUUM (ANALYZE) events, event_streams`);
    log(`  VACUUM (ANALYZE) events, event_streams: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
    // The server's event feed reads every new event (a NOTIFY per batch): let it finish, so it does not share the cores with the rebuild.
    await waitForIdle(60_000);
    const rebuildEnv = { ...serverEnv, DATABASE_URL: databaseUrl };
    const run = async (label) => {
      const cpu0 = cpuSample();
      const out = await runToEnd('rebuild', process.execPath, [path.join(ROOT, 'dist/shoes/projections/rebuild.cli.js')], rebuildEnv, [0, 2]);
      const cpu1 = cpuSample();
      const m = /from (\d+) events in ([\d.]+) s \((\d+) events\/s\)[^:]*: (.*)/.exec(out.stdout);
      if (!m) throw new Error(`rebuild printed no summary:\n${out.stdout}\n${out.stderr}`);
      const cpuSeconds = {
        rebuild: (out.lastTicks * TICK_MS) / 1000,
        postgres: ((cpu1.postgres - cpu0.postgres) * TICK_MS) / 1000,
        server: ((cpu1.server - cpu0.server) * TICK_MS) / 1000,
      };
      const result = { label, events: Number(m[1]), seconds: Number(m[2]), rate: Number(m[3]), outcome: m[4], code: out.code, cpuSeconds, cpu: cpuPercent(cpu0, cpu1) };
      log(`  ${label}: ${m[1]} events in ${m[2]} s (${m[3]} events/s): ${m[4]}; CPU s ${JSON.stringify(cpuSeconds)} (rebuild: whole process, start-up included)`);
      return result;
    };
    const repair = await run('repair');
    const problems = await checkReadModel(client, synthetic.expected());
    const totals = synthetic.totals();
    const { rows: live } = await client.query(
      `SELECT count(*)::int AS shoes, sum(version)::bigint::text AS versions, sum(rating_count)::bigint::text AS ratings, sum(rating_sum)::bigint::text AS sum,
              (SELECT count(*)::int FROM shoe_ratings) AS user_ratings FROM shoes`,
    );
    const totalsMatch =
      live[0].shoes === totals.shoes && Number(live[0].versions) === totals.versions && Number(live[0].ratings) === totals.ratingCount &&
      Number(live[0].sum) === totals.ratingSum && live[0].user_ratings === totals.userRatings;
    log(`  read model vs the generator's fold: ${problems.length ? `${problems.length}+ mismatches: ${problems.slice(0, 5).join('; ')}` : 'equal, row by row'}; totals ${JSON.stringify(live[0])} ${totalsMatch ? '=' : '!='} ${JSON.stringify(totals)}`);
    const check = await run('check');
    const correct = problems.length === 0 && totalsMatch && repair.events === totals.versions && check.code === 0;
    const note = correct ? undefined : `WRONG RESULT: ${problems.length} mismatches, totals ${totalsMatch ? 'equal' : 'differ'}, check run exit ${check.code}`;
    for (const r of [repair, check]) {
      row({
        scenario: `B rebuild ${r.label} (${r.events.toLocaleString('en-US')} events${r.label === 'repair' ? ', stale read model' : ', nothing to repair'})`,
        unit: 'events/s',
        ours: r.rate,
        baseline: undefined,
        ratio: undefined,
        goal: '>= 50000 events/s',
        pass: r.rate >= 50_000 && r.events >= CFG.rebuildEvents && correct,
        note: note ?? (r.events < 1_000_000 ? 'fewer than the 1,000,000 events the issue asks for (quick mode)' : undefined),
        events: r.events,
        seconds: r.seconds,
        outcome: r.outcome,
        cpuSeconds: r.cpuSeconds,
        cpu: r.cpu,
        generated: { events: written, counts: synthetic.counts, totals },
        verified: { mismatches: problems, totalsMatch },
      });
    }
  } finally {
    client.release();
  }
}

/** Waits until the server and PostgreSQL have used under 5% of a core for a whole second (or `timeoutMs`). */
async function waitForIdle(timeoutMs) {
  const started = Date.now();
  while (Date.now() < started + timeoutMs) {
    const a = cpuSample();
    await sleep(1000);
    const busy = cpuPercent(a, cpuSample());
    if (!(busy.server >= 5) && !(busy.postgres >= 5)) {
      log(`  server and PostgreSQL idle after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return;
    }
  }
  log(`  server or PostgreSQL still busy after ${timeoutMs} ms; measuring anyway`);
}

/**
 * L: a second instance on the same database; 2,000 shoeEvents subscribers split between the two (half filtered to
 * one of 100 shoes, half unfiltered), over raw graphql-transport-ws sockets (SUBS_PER_SOCKET each, read by worker
 * threads with a minimal frame parser to keep the load generator cheap); 500 ratings/s open loop to those 100
 * shoes, alternating instances.
 * Latency: the mutation's response (shoeId, version) to each subscriber's receipt of that event.
 */
async function liveScenario({ serverEnv, databaseUrl, port, shoeIds, token, row }) {
  const seconds = Number(process.env.BENCH_LIVE_SECONDS) || (QUICK ? 3 : 10);
  // BENCH_LIVE_RATE: another write rate, to find where latency breaks down (the table's row says which rate ran).
  const rate = Number(process.env.BENCH_LIVE_RATE) || 500;
  const subscribers = Number(process.env.BENCH_LIVE_SUBSCRIBERS ?? 2000); // another count only to take L apart
  const liveShoes = shoeIds.slice(0, 100);
  const port2 = await freePort();
  log(`L live: second instance on port ${port2}; ${subscribers} subscribers; ${rate} ratings/s for ${seconds} s`);
  const second = spawnChild('server-2', process.execPath, [...SERVER_NODE_ARGS, path.join(ROOT, 'dist/main.js')], { ...serverEnv, PORT: String(port2), DATABASE_URL: databaseUrl });
  cleanups.push(() => second.stop());
  await waitFor('second server', async () => (await request(undefined, port2, 'GET', '/health/ready')).status === 200, 60_000, second);
  const ports = [port, port2];
  // The subscribers live in worker threads (live-subscribers.worker.mjs): half a million messages a second is more
  // than this event loop should carry next to the writers. Events are keyed by number: shoe index * 1e6 + version.
  const shoeIndex = new Map(liveShoes.map((id, i) => [id, i]));
  const eventKey = (shoe, version) => shoe * 1_000_000 + version;
  const filteredPerShoe = liveShoes.map(() => 0);
  let filteredSubscribers = 0;
  let unfiltered = 0;
  const plan = Array.from({ length: Math.ceil(subscribers / SUBS_PER_SOCKET) }, (_, s) => ({
    port: ports[s % 2],
    subscriptions: Array.from({ length: Math.min(SUBS_PER_SOCKET, subscribers - s * SUBS_PER_SOCKET) }, (_, k) => {
      if (k % 2 === 1) {
        unfiltered++;
        return { id: String(k), shoe: null };
      }
      // Spread over all 100 shoes (k alone, on every socket, would only ever pick the even ones).
      const shoe = filteredSubscribers++ % liveShoes.length;
      filteredPerShoe[shoe] += 1;
      return { id: String(k), shoe };
    }),
  }));
  const receiverCount = Math.max(1, Math.min(plan.length, Number(process.env.BENCH_LIVE_RECEIVERS) || 2));
  const receivers = Array.from({ length: receiverCount }, (_, r) => {
    const worker = new Worker(new URL('./live-subscribers.worker.mjs', import.meta.url), {
      workerData: { sockets: plan.filter((_, s) => s % receiverCount === r), liveShoes },
    });
    const receiver = { worker, deliveries: 0, subscribed: null, finished: null };
    receiver.subscribed = new Promise((resolve, reject) => {
      worker.on('error', reject);
      receiver.finished = new Promise((done) =>
        worker.on('message', (message) => {
          if (message.type === 'subscribed') resolve();
          else if (message.type === 'progress') receiver.deliveries = message.deliveries;
          else if (message.type === 'unexpected') log(`  unexpected message: ${message.text}`);
          else if (message.type === 'finished') done(message);
        }),
      );
    });
    return receiver;
  });
  cleanups.push(() => Promise.all(receivers.map((r) => r.worker.terminate())));
  await Promise.all(receivers.map((r) => r.subscribed));
  const respondedAt = new Map(); // eventKey -> when the writer had the response (absolute ms, as the workers count)
  const deliveredSoFar = () => receivers.reduce((sum, r) => sum + r.deliveries, 0);
  // Responses go to the workers in batches, once per turn of this event loop.
  let unsentKeys = [];
  let unsentTimes = [];
  const broadcastResponses = () => {
    const message = { type: 'responded', keys: unsentKeys, times: unsentTimes };
    unsentKeys = [];
    unsentTimes = [];
    for (const r of receivers) r.worker.postMessage(message);
  };
  const responded = (key) => {
    const at = performance.timeOrigin + performance.now();
    respondedAt.set(key, at);
    if (unsentKeys.length === 0) setImmediate(broadcastResponses);
    unsentKeys.push(key);
    unsentTimes.push(at);
  };
  const activeOn = async (p) => {
    const res = await request(undefined, p, 'GET', '/metrics');
    const line = /^tts_subscriptions_active(?:\{[^}]*\})? (\S+)$/m.exec(res.text);
    return line ? Number(line[1]) : NaN;
  };
  await waitFor('live subscriptions', async () => (await activeOn(port)) + (await activeOn(port2)) >= subscribers, 30_000);
  await sleep(500);
  const users = await Promise.all(Array.from({ length: 64 }, (_, i) => token(`bench-live-${i}`)));
  const lastSize = new Map();
  const agents = ports.map(() => makeAgent(64));
  const callers = ports.map((p, i) => gqlCaller(agents[i], p));
  // The feed's reads of the log per instance (follow: new events; replay: history), before and after.
  const feedReads = async () =>
    Promise.all(
      ports.map(async (p) => {
        const text = (await request(undefined, p, 'GET', '/metrics')).text;
        return Number(/^tts_event_feed_catch_up_reads_total\{kind="follow"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
      }),
    );
  const feedReads0 = await feedReads();
  const serversCpu = () => ticks(cpuWatch.serverPid).cpu + ticks(second.pid).cpu;
  const serversCpu0 = serversCpu();
  const benchCpu0 = process.cpuUsage();
  const cpu0 = cpuSample();
  const started = performance.now();
  let sent = 0;
  let failed = 0;
  const inFlight = new Set();
  const writeLatencies = [];
  // Once a second: what was written and delivered, and who used the CPU (both instances, PostgreSQL, this
  // process), so a run shows whether the servers, the database or the load generator is the limit.
  const secondPid = second.pid;
  const sampleLive = () => ({ ...cpuSample(), server2: ticks(secondPid).cpu, machine: machineTicks(), responded: respondedAt.size, deliveries: deliveredSoFar() });
  let lastSample = sampleLive();
  // The load generator is the limit only if its one event loop is busy all the time (its CPU also counts V8's
  // helper threads): event-loop utilization says so directly.
  const elu0 = performance.eventLoopUtilization();
  let lastElu = elu0;
  const progress = setInterval(() => {
    const now = sampleLive();
    const elu = performance.eventLoopUtilization();
    const loopBusy = Math.round(100 * performance.eventLoopUtilization(elu, lastElu).utilization);
    lastElu = elu;
    const ms = now.at - lastSample.at;
    const pct = (k) => Math.round(((now[k] - lastSample[k]) * TICK_MS * 100) / ms);
    log(
      `  t=${((now.at - started) / 1000).toFixed(0)} s: sent ${sent}, answered ${now.responded} (+${now.responded - lastSample.responded}), ` +
        `in flight ${inFlight.size}, failed ${failed}, deliveries +${now.deliveries - lastSample.deliveries}; ` +
        `cpu% server-1 ${pct('server')} server-2 ${pct('server2')} postgres ${pct('postgres')} bench ${pct('bench')} (all threads; the writers' loop ${loopBusy}% busy); ` +
        `machine ${Math.round((100 * (now.machine.busy - lastSample.machine.busy)) / (now.machine.total - lastSample.machine.total))}% busy of ${os.cpus().length} cores`,
    );
    lastSample = now;
  }, 1000);
  const writeOne = async (n) => {
    const shoe = liveShoes[n % liveShoes.length];
    const u = Math.floor(n / liveShoes.length) % users.length;
    const key = `${u}:${shoe}`;
    const size = ((lastSize.get(key) ?? 0) % 5) + 1;
    lastSize.set(key, size);
    try {
      const t0 = performance.now();
      const d = await callers[n % 2](SUBMIT, { id: shoe, size }, users[u]);
      writeLatencies.push(performance.now() - t0);
      responded(eventKey(shoeIndex.get(d.submitTrueToSize.id), d.submitTrueToSize.version));
    } catch (error) {
      failed++;
      if (failed <= 3) log(`  write failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      const p = writeOne(sent++);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  const writeSeconds = (performance.now() - started) / 1000;
  await sleep(3000); // drain
  clearInterval(progress);
  const cpu = cpuPercent(cpu0, cpuSample());
  if (unsentKeys.length) broadcastResponses();
  for (const r of receivers) r.worker.postMessage({ type: 'finish' });
  const reports = await Promise.all(receivers.map((r) => r.finished));
  await Promise.all(receivers.map((r) => r.worker.terminate()));
  const latencies = reports.flatMap((report) => Array.from(report.latencies));
  const received = new Map();
  for (const report of reports) for (const [key, n] of report.received) received.set(key, (received.get(key) ?? 0) + n);
  const errors = reports.reduce((sum, report) => sum + report.errors, 0);
  const receiversBusy = reports.map((report) => `${Math.round(100 * report.loopBusy)}%`).join(', ');
  const feedReads1 = await feedReads();
  // CPU, unlike latency, hardly depends on what else runs on the machine: the cost of fan-out (plus the writes).
  const serverCpuSeconds = ((serversCpu() - serversCpu0) * TICK_MS) / 1000;
  const benchCpu = process.cpuUsage(benchCpu0);
  const benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;
  const benchLoopBusy = performance.eventLoopUtilization(performance.eventLoopUtilization(), elu0).utilization;
  log(
    `  both servers used ${serverCpuSeconds.toFixed(1)} s of CPU: ${((serverCpuSeconds * 1e6) / Math.max(1, latencies.length)).toFixed(1)} µs per delivery (writes included); ` +
      `this process ${benchCpuSeconds.toFixed(1)} s (all threads); event loops busy: writers ${Math.round(100 * benchLoopBusy)}%, receivers ${receiversBusy}`,
  );
  log(`  the feeds' follow reads of the log: ${feedReads1.map((n, i) => n - feedReads0[i]).join(' and ')}`);
  let expected = 0;
  let missing = 0;
  for (const k of respondedAt.keys()) {
    const want = unfiltered + filteredPerShoe[Math.floor(k / 1_000_000)];
    expected += want;
    missing += Math.max(0, want - (received.get(k) ?? 0));
  }
  const stats = summary(latencies);
  const writeStats = summary(writeLatencies);
  log(`  ${respondedAt.size} writes (${(respondedAt.size / writeSeconds).toFixed(0)}/s achieved, ${failed} failed; mutation latency p50 ${writeStats.p50.toFixed(1)} ms p99 ${writeStats.p99.toFixed(1)} ms); ${latencies.length} deliveries of ${expected} expected, ${missing} missing, ${errors} other messages; latency p50 ${stats.p50.toFixed(1)} ms p99 ${stats.p99.toFixed(1)} ms; cpu% ${JSON.stringify(cpu)} (server = first instance only)`);
  for (const a of agents) a.destroy();
  serverLogs.push(`--- second instance (L) ---\n${second.output()}`);
  await second.stop();
  row({
    scenario: `L live p99 ms (2 inst, ${subscribers} subs, ${rate}/s x ${seconds} s)`,
    unit: 'ms',
    ours: stats.p99,
    baseline: undefined,
    ratio: undefined,
    goal: 'p99 <= 50 ms, none missing',
    pass: stats.p99 <= 50 && missing === 0 && failed === 0,
    p50: stats.p50,
    writes: respondedAt.size,
    achievedRate: respondedAt.size / writeSeconds,
    writeP50: writeStats.p50,
    serverCpuSeconds,
    writeP99: writeStats.p99,
    failedWrites: failed,
    deliveries: latencies.length,
    expected,
    missing,
    cpu,
  });
}

// ---------------------------------------------------------------- M's detail
// M's number is the server's RSS added, sampled without a garbage collection: the V8 heap grows and shrinks with
// what the collector happened to do just before, which moves M by tens of MB from run to run. Next to each RSS sample
// (taken first, unchanged) the log and the JSON show the heap and the memory outside it from the server's /metrics
// (prom-client's default metrics: process.memoryUsage() and v8.getHeapStatistics(), also without a collection). With
// BENCH_M_INSPECT_PORT=<port> (and BENCH_SERVER_NODE_ARGS=--inspect=127.0.0.1:<port>) the server is also made to
// collect its garbage through the inspector right after each RSS sample and its heapUsed is read again: the live
// heap, the number that compares builds. Caveat: that collection happens before the subscriptions are opened, so the
// "after" RSS of such a run is not comparable with one without it. BENCH_M_SNAPSHOT_DIR=<dir> also writes a heap
// snapshot at each of the two points (slow: seconds each, and the snapshot's own memory shows in a later RSS).
const METRIC_FIELDS = {
  heapUsed: 'tts_nodejs_heap_size_used_bytes',
  heapTotal: 'tts_nodejs_heap_size_total_bytes',
  external: 'tts_nodejs_external_memory_bytes',
};

async function memoryDetail(port, label) {
  const res = await request(undefined, port, 'GET', '/metrics');
  const detail = {};
  for (const [field, name] of Object.entries(METRIC_FIELDS)) {
    const line = new RegExp(`^${name} (\\S+)$`, 'm').exec(res.text);
    detail[field] = line ? Number(line[1]) / 2 ** 20 : NaN;
  }
  const inspectPort = process.env.BENCH_M_INSPECT_PORT;
  if (inspectPort) Object.assign(detail, await collectedMemory(inspectPort, label));
  return detail;
}

function describeMemoryDetail(before, after) {
  return Object.keys(after)
    .map((field) => `${field} ${before[field].toFixed(1)} -> ${after[field].toFixed(1)}`)
    .join(', ');
}

/** Through the server's inspector: a full collection, then process.memoryUsage() (MB), and a heap snapshot if asked. */
async function collectedMemory(inspectPort, label) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 0;
  const chunks = [];
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (data) => {
        const message = JSON.parse(data.toString());
        if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params.chunk);
        if (message.id !== id) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const usage = JSON.parse(result.value);
    const mb = (bytes) => bytes / 2 ** 20;
    const collected = { gcRss: mb(usage.rss), gcHeapUsed: mb(usage.heapUsed), gcExternal: mb(usage.external), gcArrayBuffers: mb(usage.arrayBuffers) };
    const dir = process.env.BENCH_M_SNAPSHOT_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const file = path.join(dir, `m-${label}-${Date.now()}.heapsnapshot`);
      writeFileSync(file, chunks.join(''));
      log(`  heap snapshot (${label}): ${file}`);
    }
    return collected;
  } finally {
    socket.close();
  }
}

function fmt(x) {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function printTable(results) {
  const head = ['scenario', 'ours', 'baseline', 'ratio', 'goal', 'result'];
  const rows = results.map((r) => [r.scenario, r.ours === undefined ? '—' : `${fmt(r.ours)} ${r.unit}`, fmt(r.baseline), fmt(r.ratio), r.goal, r.pass === undefined ? r.note ?? '—' : `${r.pass ? 'pass' : 'FAIL'}${r.note ? ` (${r.note})` : ''}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

function runToEnd(name, command, argv, env = process.env, okCodes = [0]) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const result = { lastTicks: 0 };
    const poll = setInterval(() => (result.lastTicks = ticks(child.pid).cpu || result.lastTicks), 50);
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) => {
      clearInterval(poll);
      children.delete(child);
      if (okCodes.includes(code)) resolve({ ...result, code, stdout, stderr });
      else reject(new Error(`${name} exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
}

runScript('bench', main, cleanup);
