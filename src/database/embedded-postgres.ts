import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../net/free-port';
import { createPassword, ensurePostgresUser, passwordFile, PostgresUser, reachableDataDir, readPassword } from './embedded-postgres-location';
import { clearStalePostmaster, terminate } from './embedded-postgres-stale';
import { postgresBinaries, PostgresBinaries } from './postgres-binaries';
import { initdb, startPostgres } from './postgres-process';

/**
 * A PostgreSQL of our own, for development and tests when no DATABASE_URL is given: the binaries come from the
 * `embedded-postgres` package, the data lives in `dir`. It never touches a system cluster: TCP on 127.0.0.1 only,
 * no unix socket, and never port 5432.
 */
export type EmbeddedPostgresOptions = {
  /** The data dir (PG_VERSION lives here). Created and initialised when it holds no cluster yet. */
  dir: string;
  /** 0 or undefined: a free port. 5432 is refused (the system PostgreSQL's). */
  port?: number;
  /** Created when missing. Default `true_to_size`. */
  database?: string;
  /** Default true. false: `stop()` deletes the data dir (and its password file). */
  persistent?: boolean;
  /**
   * Receives our notices (warnings, stale-process clean-up) and every line PostgreSQL prints, prefixed
   * `initdb: ` / `postgres: `. Default: notices to stderr, PostgreSQL's lines only in a failure's error message.
   */
  log?: (line: string) => void;
};

export type EmbeddedPostgresHandle = {
  url: string;
  /** Where the data really is: `options.dir`, or a folder under the OS temp dir when postgres cannot reach it (root). */
  dir: string;
  port: number;
  /** Fast shutdown, waits for postgres to exit; safe to call twice. */
  stop(): Promise<void>;
};

const SYSTEM_PORT = 5432;
const START_TIMEOUT_MS = 60_000;
const TAIL_LINES = 40;

const SERVER_FLAGS = [
  // Loopback TCP only and no unix socket: a socket would land in /var/run/postgresql next to the system cluster's.
  ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  // The package reads stderr, both for its "ready to accept connections" check and to hand us the log.
  ...['-c', 'logging_collector=off', '-c', 'log_destination=stderr'],
];
// A throwaway (test) cluster dies with the run: durability only costs time there.
const THROWAWAY_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
// UTF-8 with the builtin C.UTF-8 locale: same sorting and upper()/lower() on every machine, no OS locale needed.
const INITDB_FLAGS = ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const notice = options.log ?? ((line: string) => process.stderr.write(`[embedded-postgres] ${line}\n`));
  const persistent = options.persistent ?? true;
  // 1. As root, postgres runs as OS user "postgres": it must exist and reach the data dir (else we fall back).
  const user = await ensurePostgresUser();
  const dir = await reachableDataDir(path.resolve(options.dir), user, notice);
  // 2. Before binding or writing anything: stop a postgres that a killed run left holding this dir.
  await clearStalePostmaster(dir, notice);
  // 3. A new cluster gets a new password; a restart reuses the saved one.
  const port = await choosePort(options.port);
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  const password = fresh ? await createPassword(dir) : await readPassword(dir);
  // 4. initdb (new cluster only), then postgres. A throwaway cluster that failed leaves nothing behind.
  const binaries = await postgresBinaries(user, notice);
  const pg = await boot({ binaries, dir, port, password, user, fresh, persistent, log: options.log }).catch(async (error: unknown) => {
    if (!persistent) await removeCluster(dir);
    throw error;
  });
  const stop = stopOnce(pg, dir, persistent);
  // 5. The app's database, on a running server; stop it again if that fails so nothing is left behind.
  const database = options.database ?? 'true_to_size';
  await ensureDatabase(clusterUrl(password, port, 'postgres'), database).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: clusterUrl(password, port, database), dir, port, stop };
}

type BootSpec = {
  binaries: PostgresBinaries;
  dir: string;
  port: number;
  password: string;
  user?: PostgresUser;
  fresh: boolean;
  persistent: boolean;
  log?: (line: string) => void;
};

async function boot(spec: BootSpec): Promise<ChildProcess> {
  const output = new OutputTail(spec.log);
  const process = { binaries: spec.binaries, dir: spec.dir, user: spec.user, onOutput: (chunk: string) => output.add(chunk) };
  try {
    if (spec.fresh) await initdb(process, spec.password, spec.persistent ? INITDB_FLAGS : [...INITDB_FLAGS, '--no-sync']);
    output.phase = 'postgres';
    const flags = spec.persistent ? SERVER_FLAGS : [...SERVER_FLAGS, ...THROWAWAY_FLAGS];
    return await startPostgres(process, spec.port, flags, START_TIMEOUT_MS);
  } catch (error) {
    throw new Error(`${startFailure(spec, error)}\n${output.report()}`, { cause: error });
  }
}

function stopOnce(child: ChildProcess, dir: string, persistent: boolean): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stopCluster(child, dir, persistent));
}

async function stopCluster(child: ChildProcess, dir: string, persistent: boolean): Promise<void> {
  // 1. Fast shutdown (SIGINT) and wait for the exit, SIGKILL after 15 s.
  if (child.pid && child.exitCode === null && child.signalCode === null) await terminate(child.pid);
  // 2. Only once postgres is gone: a throwaway cluster's files go.
  if (!persistent) await removeCluster(dir);
}

async function removeCluster(dir: string): Promise<void> {
  await Promise.all([rm(dir, { recursive: true, force: true }), rm(passwordFile(dir), { force: true })]);
}

async function choosePort(requested: number | undefined): Promise<number> {
  if (requested === SYSTEM_PORT) throw new Error('port 5432 belongs to the system PostgreSQL: pass another port, or 0 for a free one');
  if (requested) return requested;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    if (port !== SYSTEM_PORT) return port;
  }
  throw new Error('could not find a free port other than 5432');
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error; // duplicate_database: someone created it meanwhile, fine
    });
  } finally {
    await client.end();
  }
}

function clusterUrl(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

function startFailure(spec: BootSpec, error: unknown): string {
  const cause = error instanceof Error ? error.message : String(error);
  return `embedded PostgreSQL failed to ${spec.fresh ? 'initialise/start' : 'start'} in ${spec.dir} on port ${spec.port}: ${cause}`;
}

/** The last lines initdb and postgres printed, which is where the reason for a failed start is. */
class OutputTail {
  phase: 'initdb' | 'postgres' = 'initdb';
  private readonly lines: Record<OutputTail['phase'], string[]> = { initdb: [], postgres: [] };

  constructor(private readonly forward?: (line: string) => void) {}

  add(chunk: string): void {
    for (const line of chunk.split(/\r?\n/).filter((l) => l.trim())) {
      const lines = this.lines[this.phase];
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      this.forward?.(`${this.phase}: ${line}`);
    }
  }

  report(): string {
    return (['initdb', 'postgres'] as const)
      .filter((phase) => this.lines[phase].length)
      .map((phase) => `--- ${phase} output (last ${TAIL_LINES} lines) ---\n${this.lines[phase].join('\n')}`)
      .join('\n');
  }
}
