/* global process, console, setTimeout, clearTimeout, Buffer, URL */
// The process and HTTP helpers the bench (bench.mjs) and the soak (test/soak/soak.mjs) share: spawning the built
// server, free ports, polling for readiness, keep-alive HTTP requests, a process's RSS. Importing this module runs
// nothing; it only registers an exit hook that SIGKILLs any child still running (the scripts' own clean-up stops
// them gracefully first).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});


/**
 * A port free right now and never handed out before in this run: the kernel may offer a just-closed port again,
 * and the server's and the embedded PostgreSQL's ports are taken only later, so two calls must not share one.
 */
const handedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export function spawnChild(name, command, argv, env) {
  const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const tail = [];
  const record = (chunk) => {
    for (const line of String(chunk).split('\n').filter((l) => l.trim())) {
      tail.push(line);
      if (tail.length > 200) tail.shift();
    }
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => (children.delete(child), resolve({ code, signal }))));
  return {
    name,
    child,
    pid: child.pid,
    exited,
    output: () => tail.join('\n'),
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function waitFor(what, check, timeoutMs, proc) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${what}: process exited (${proc.child.exitCode})\n${proc.output()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms${proc ? `\n${proc.output()}` : ''}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------- HTTP
export function makeAgent(sockets) {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export function request(agent, port, method, pathName, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: pathName,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length, ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.end(payload);
    else req.end();
  });
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  return kb / 1024;
}

/**
 * The database a bench or soak server runs on. With DATABASE_URL: a throwaway database `<prefix>_<now>` on that
 * server; otherwise an embedded cluster in a temp folder, on a free port. Sets serverEnv's DATABASE_URL or
 * EMBEDDED_POSTGRES_DIR/PORT, pushes onto `cleanups` what drops or removes it, and says what it made:
 * `{ kind: 'DATABASE_URL', name, url }` or `{ kind: 'embedded', dir, port }`.
 */
export async function freshDatabase({ prefix, serverEnv, cleanups, log }) {
  if (process.env.DATABASE_URL) {
    const { Client } = createRequire(import.meta.url)('pg');
    const admin = process.env.DATABASE_URL;
    const name = `${prefix}_${Date.now()}`;
    const onAdmin = async (sql) => {
      const client = new Client({ connectionString: admin });
      await client.connect();
      await client.query(sql);
      await client.end();
    };
    await onAdmin(`CREATE DATABASE ${name}`);
    cleanups.push(async () => {
      await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      log(`dropped database ${name}`);
    });
    const url = new URL(admin);
    url.pathname = `/${name}`;
    serverEnv.DATABASE_URL = url.toString();
    return { kind: 'DATABASE_URL', name, url: serverEnv.DATABASE_URL };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix.replace(/_/g, '-')}-`));
  chmodSync(dir, 0o755); // as root, the OS user postgres must reach the data below
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  serverEnv.EMBEDDED_POSTGRES_DIR = path.join(dir, 'pg');
  serverEnv.EMBEDDED_POSTGRES_PORT = String(port);
  return { kind: 'embedded', dir: serverEnv.EMBEDDED_POSTGRES_DIR, port };
}

/**
 * A script's clean-up: steps pushed onto `cleanups` as resources are made, run last-first by `cleanup()` at the
 * end, after a failure, and on SIGINT/SIGTERM (then the process exits 130). A failing step is logged, not thrown.
 */
export function cleanUpOnExit(log) {
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()();
      } catch (error) {
        log(`clean-up step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  return { cleanups, cleanup };
}

/** Runs a script's `main`, then its clean-up; a failure is printed as "<name> failed", cleaned up, and exits 1. */
export function runScript(name, main, cleanup) {
  main()
    .then(cleanup)
    .catch(async (error) => {
      console.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      await cleanup();
      process.exitCode = 1;
    });
}
