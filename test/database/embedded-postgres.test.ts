import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { ensurePostgresUser } from '../../src/database/embedded-postgres-location';
import { postgresBinaries } from '../../src/database/postgres-binaries';
import { freePort } from '../../src/net/free-port';

/**
 * Integration tests: these start real PostgreSQL clusters (the embedded binaries) in temp folders, whatever server
 * the rest of the run uses. Each cluster gets its own folder and port.
 */
const isRoot = process.getuid?.() === 0;

const handles: EmbeddedPostgresHandle[] = [];
const folders: string[] = [];
const strays: number[] = []; // pids a failed test may leave running

afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.stop()));
  for (const pid of strays.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A data dir path in a fresh temp folder; 755 so that, as root, the OS user "postgres" can reach it. */
function dataDir(mode = 0o755): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tts-embedded-'));
  chmodSync(root, mode);
  folders.push(root);
  return path.join(root, 'data');
}

async function start(dir: string, log?: (line: string) => void): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres({ dir, log });
  handles.push(handle);
  return handle;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function postmasterPid(dir: string): number {
  return Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('startEmbeddedPostgres', () => {
  it('initialises a cluster, creates the database, answers queries and stops (twice, harmlessly)', async () => {
    const dir = dataDir();
    const handle = await start(dir);

    expect(handle.dir).toBe(dir);
    expect(handle.port).not.toBe(5432);
    expect(handle.url).toMatch(new RegExp(`^postgres://postgres:[0-9a-f]+@127\\.0\\.0\\.1:${handle.port}/true_to_size$`));
    await expect(query(handle.url, 'SELECT 1 AS one, current_database() AS db')).resolves.toEqual([{ one: 1, db: 'true_to_size' }]);

    await handle.stop();
    await handle.stop();
    await expect(query(handle.url, 'SELECT 1')).rejects.toThrow();
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(true); // persistent by default
  });

  it('keeps data and password across a restart on the same dir', async () => {
    const dir = dataDir();
    const first = await start(dir);
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');
    await first.stop();

    const second = await start(dir);

    expect(new URL(second.url).password).toBe(new URL(first.url).password);
    await expect(query(second.url, 'SELECT id FROM kept')).resolves.toEqual([{ id: 42 }]);
  });

  it('removes a throwaway cluster on stop', async () => {
    const dir = dataDir();
    const handle = await startEmbeddedPostgres({ dir, persistent: false, database: 'throwaway' });

    await handle.stop();

    expect(existsSync(dir)).toBe(false);
    expect(existsSync(`${dir}.password`)).toBe(false);
  });

  it('stops the postgres of a forgotten handle on the same dir, then starts', async () => {
    const dir = dataDir();
    await start(dir); // never stopped: like a run that lost its handle
    const stale = postmasterPid(dir);
    const lines: string[] = [];

    const fresh = await start(dir, (line) => lines.push(line));

    expect(isRunning(stale)).toBe(false);
    expect(lines.join('\n')).toContain(`a postgres (pid ${stale}) left behind by an earlier run`);
    await expect(query(fresh.url, 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('stops a postgres orphaned by a Node process killed with SIGKILL, then starts', async () => {
    const dir = dataDir();
    await (await start(dir)).stop();
    const parent = await spawnPostgresFromChildNode(dir, await freePort());
    strays.push(parent.pid!);
    const orphan = await waitUntilReady(dir);
    strays.push(orphan);
    parent.kill('SIGKILL');
    await new Promise((resolve) => parent.once('exit', resolve));
    expect(isRunning(orphan)).toBe(true); // the kill -9 left postgres running, holding the dir
    const lines: string[] = [];

    const handle = await start(dir, (line) => lines.push(line));

    expect(isRunning(orphan)).toBe(false);
    expect(lines.join('\n')).toMatch(new RegExp(`stale postgres ${orphan} (stopped|killed)`));
    await expect(query(handle.url, 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it("rejects with PostgreSQL's own complaint when the server cannot start", async () => {
    const dir = dataDir();
    await (await start(dir)).stop();
    appendFileSync(path.join(dir, 'postgresql.conf'), '\nmax_connections = lots\n');

    const failure = startEmbeddedPostgres({ dir, log: () => undefined });

    await expect(failure).rejects.toThrow(/failed to start[\s\S]*postgres output[\s\S]*"max_connections"/);
  });

  it('refuses port 5432, which belongs to the system PostgreSQL', async () => {
    await expect(startEmbeddedPostgres({ dir: dataDir(), port: 5432 })).rejects.toThrow(/5432/);
  });

  it('keeps the data under the temp folder, with a warning, when (as root) postgres cannot reach the dir', async () => {
    const dir = dataDir(0o700); // like mktemp -d or /root
    const lines: string[] = [];

    const handle = await startEmbeddedPostgres({ dir, persistent: false, log: (line) => lines.push(line) });
    handles.push(handle);

    if (isRoot) {
      expect(handle.dir).toMatch(new RegExp(`^${os.tmpdir()}/true-to-size-[0-9a-f]{12}$`));
      expect(lines.filter((line) => line.startsWith('WARNING'))).toEqual([expect.stringContaining(handle.dir)]);
    } else {
      expect(handle.dir).toBe(dir); // our own folder: nothing to fall back from
    }
    await expect(query(handle.url, 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});

/** A Node process that starts postgres on `dir` the way the package does, to be killed with SIGKILL. */
async function spawnPostgresFromChildNode(dir: string, port: number): Promise<ChildProcess> {
  const bin = (await postgresBinaries(await ensurePostgresUser(), () => undefined)).postgres;
  const ids = isRoot ? ['uid', 'gid'].map((kind) => execFileSync('id', [`-${kind[0]}`, 'postgres'], { encoding: 'utf8' }).trim()) : [];
  const script = `
    const [bin, dir, port, uid, gid] = process.argv.slice(1);
    const args = ['-D', dir, '-p', port, '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    require('child_process').spawn(bin, args, { stdio: 'ignore', ...(uid ? { uid: +uid, gid: +gid } : {}) });
    setInterval(() => undefined, 1000);`;
  return spawn(process.execPath, ['-e', script, bin, dir, String(port), ...ids], { stdio: 'ignore' });
}

/** postmaster.pid's last line reads "ready" once the server accepts connections. */
async function waitUntilReady(dir: string): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const lines = existsSync(path.join(dir, 'postmaster.pid')) ? readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').trim().split('\n') : [];
    if (lines.at(-1)?.trim() === 'ready') return Number(lines[0]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`postgres on ${dir} was not ready after 30 s`);
}
