import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/net/free-port';

/**
 * The real server (`node dist/main.js`, as `npm start` runs it) in a child process of its own, for tests that
 * need what an in-process server cannot give: several instances on one database, kill -9, SIGTERM, a process
 * that must come back on its own. `npm test` builds dist/ first; run `npm run build` before a single file.
 *
 * Every process started here is registered until it has exited: call `stopAllServerProcesses()` from
 * afterEach/afterAll so that a failing test never leaves a server (or its port) behind; as a last resort, the
 * Jest worker SIGKILLs whatever is still registered when it exits.
 */
export type ServerProcess = {
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  httpUrl: string;
  wsUrl: string;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal; a no-op once the process has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL when it has not exited within `graceMs`; resolves with how it exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines of stdout and stderr, interleaved, for failure messages and log assertions. */
  output(): string;
};

export type ServerProcessOptions = {
  /**
   * Settings for the server, on top of a clean environment: DATABASE_URL (omit for the embedded PostgreSQL, then
   * give EMBEDDED_POSTGRES_DIR), LOG_LEVEL, SHUTDOWN_GRACE_MS... PORT, HOST and NODE_ENV=test are filled in.
   */
  env?: Record<string, string | undefined>;
  /** How long `waitUntilReady` waits for /health/ready (default 45 s: the embedded cluster may run initdb first). */
  readyTimeoutMs?: number;
};

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/main.js');
const TAIL_LINES = 300;
/** Settings the parent's environment must not leak into a server: each test says what its server uses. */
const SCRUBBED = /^(DATABASE_URL|DATABASE_POOL_SIZE|EMBEDDED_POSTGRES_\w+|PORT|HOST|NODE_ENV|LOG_\w+|JWT_SECRET|SHUTDOWN_GRACE_MS|FEED_\w+|READ_CACHE_\w+|WS_\w+|DEMO_DATA|TEST_PG_ADMIN_URL)$/;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL'); // synchronous last resort: a crashed test never leaks a server
});

/** Starts a server and waits until it answers /health/ready with 200. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const server = await spawnServerProcess(options);
  await waitUntilReady(server, options.readyTimeoutMs);
  return server;
}

/** Starts a server without waiting (to start several at the same moment); then `waitUntilReady`. */
export async function spawnServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !SCRUBBED.test(key)));
  Object.assign(env, { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port) });
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const tail: string[] = [];
  const record = (stream: string) => (chunk: string) => {
    for (const line of chunk.split('\n').filter((l) => l.trim())) {
      tail.push(`[${stream}] ${line}`);
      if (tail.length > TAIL_LINES) tail.shift();
    }
  };
  // Always drained: a child blocked on a full pipe would look like a hung server.
  child.stdout.setEncoding('utf8').on('data', record('out'));
  child.stderr.setEncoding('utf8').on('data', record('err'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      tail.push(`[spawn] ${error.message}`);
      running.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const kill = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!hasExited()) child.kill(signal);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid ?? -1,
    port,
    baseUrl,
    httpUrl: `${baseUrl}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    exited,
    kill,
    output: () => tail.join('\n'),
    stop: async (graceMs = 20_000) => {
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Polls /health/ready until 200; rejects (with the server's output) if the process exits or time runs out. */
export async function waitUntilReady(server: ServerProcess, timeoutMs = 45_000): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void server.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) throw new Error(`server ${server.pid} exited (${JSON.stringify(exit)}) before it was ready:\n${server.output()}`);
    const status = await fetch(`${server.baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      (res) => res.status,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (status === 200) return;
    last = String(status);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server ${server.pid} was not ready within ${timeoutMs} ms (last: ${last}):\n${server.output()}`);
}

/** For afterEach/afterAll: SIGKILL every server still running (a test that wants a clean exit stops its own). */
export async function stopAllServerProcesses(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map((child) =>
      child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)),
    ),
  );
}

export { freePort };
