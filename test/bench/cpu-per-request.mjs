/* global process, console, setTimeout */
// `node test/bench/cpu-per-request.mjs <worktree> <database url> [reads] [ratings]`: the server CPU one shoe(id) read
// and one rating cost, from /proc/<pid>/stat (user + system time) over a fixed number of requests, with 32 keep-alive
// connections. Throughput ratios are noise on a machine shared with other work; CPU per request is much steadier,
// so two builds can be compared on it in alternation (run it for each worktree in turn). Starts `<worktree>/dist/main.js`
// (build it first) with NODE_ENV=production and LOG_LEVEL=info (the production default; set LOG_LEVEL to change it);
// PROF_DIR=<dir> adds --cpu-prof for test/bench/profile-summary.mjs. Linux only (/proc).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const [dirArg, db, reads = '15000', writes = '3000'] = process.argv.slice(2);
if (!dirArg || !db) {
  console.error('usage: node test/bench/cpu-per-request.mjs <worktree> <database url> [reads] [ratings]');
  process.exit(2);
}
const dir = path.resolve(dirArg);
const { mintToken } = createRequire(path.join(dir, 'package.json'))(path.join(dir, 'dist/auth/jwt.js'));
const secret = 'cpu-per-request-secret-of-at-least-32-characters';
const port = 3900 + Math.floor(Math.random() * 90);
const profile = process.env.PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF_DIR}`] : [];
const server = spawn(process.execPath, [...profile, path.join(dir, 'dist/main.js')], {
  cwd: dir,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    JWT_SECRET: secret,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
server.stdout.resume(); // its log, read and dropped as a log collector would
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function post(body, token) {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 && !text.includes('"errors"') ? resolve(text) : reject(new Error(text))));
    });
    req.on('error', reject).end(body);
  });
}

/** The server's CPU time so far, in ms (the kernel counts in 10 ms ticks). */
function cpuMs() {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function phase(count, request) {
  let next = 0;
  const before = cpuMs();
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) await request(next++);
    }),
  );
  return { cpuUsPerRequest: Math.round(((cpuMs() - before) * 1000) / count), perSecond: Math.round(count / ((Date.now() - startedAt) / 1000)) };
}

async function main() {
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => http.get(`http://127.0.0.1:${port}/health/live`, (res) => resolve(res.resume() && true)).on('error', () => resolve(false)));
    if (up) break;
    if (i > 300) throw new Error('the server did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const admin = await mintToken({ sub: 'cpu-admin', roles: ['admin'], expiresInSeconds: 3600 }, secret);
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const created = await post(JSON.stringify({ query: `mutation { createShoe(input: { name: "cpu ${Date.now()} ${i}" }) { id } }` }), admin);
    ids.push(JSON.parse(created).data.createShoe.id);
  }
  const read = 'query R($id: ID!) { shoe(id: $id) { id name brand createdAt updatedAt version trueToSize { average count distribution { size count } } } }';
  const submit = 'mutation S($id: ID!, $size: Int!) { submitTrueToSize(input: { shoeId: $id, size: $size }) { id version } }';
  const readOne = (i) => post(JSON.stringify({ query: read, variables: { id: ids[i % ids.length] } }));
  await phase(2000, readOne); // warm-up
  const reading = await phase(Number(reads), readOne);
  const users = await Promise.all(Array.from({ length: 32 }, (_, u) => mintToken({ sub: `cpu-user-${u}-${Date.now()}`, roles: [], expiresInSeconds: 3600 }, secret)));
  const rating = await phase(Number(writes), (i) => post(JSON.stringify({ query: submit, variables: { id: ids[i % ids.length], size: 1 + (i % 5) } }), users[i % 32]));
  console.log(JSON.stringify({ dir, logLevel: process.env.LOG_LEVEL ?? 'info', read: reading, rating }));
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    server.kill('SIGTERM');
    agent.destroy();
  });
