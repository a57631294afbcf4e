import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PostgresUser } from './embedded-postgres-location';
import type { PostgresBinaries } from './postgres-binaries';

/**
 * initdb and postgres, run by us rather than by the `embedded-postgres` class: the class installs process-wide
 * exit and signal hooks (async-exit-hook) that end the process on SIGTERM before a graceful drain is done and
 * replace a CLI's exit code, and it can only run the binaries from node_modules. What it did for root
 * (`createPostgresUser`: run as the OS user `postgres`, created when missing) is done here with `user`.
 */
export type ProcessSpec = { binaries: PostgresBinaries; dir: string; user?: PostgresUser; onOutput: (chunk: string) => void };

const READY = 'database system is ready to accept connections';
// initdb's and postgres's messages in English whatever the machine's locale: we look for READY in them.
const ENV = { ...process.env, LC_MESSAGES: 'C', LANG: 'C' };

export async function initdb(spec: ProcessSpec, password: string, flags: string[]): Promise<void> {
  await mkdir(spec.dir, { recursive: true, mode: 0o700 });
  if (spec.user) await chown(spec.dir, spec.user.uid, spec.user.gid);
  const pwfile = await writePasswordFile(password, spec.user);
  try {
    const args = [`--pgdata=${spec.dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, ...flags];
    const child = spawn(spec.binaries.initdb, args, options(spec));
    pipeOutput(child, spec.onOutput);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb exited with code ${code}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Starts postgres and resolves once it accepts connections; rejects if it exits first or is not ready in time. */
export function startPostgres(spec: ProcessSpec, port: number, flags: string[], timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(spec.binaries.postgres, ['-D', spec.dir, '-p', String(port), ...flags], options(spec));
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`postgres was not ready after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    pipeOutput(child, (chunk) => {
      spec.onOutput(chunk);
      if (!ready && chunk.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`postgres exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
}

function options(spec: ProcessSpec): SpawnOptions {
  return { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}) };
}

/** Always drained: a full pipe would block postgres's logging, and with it postgres. */
function pipeOutput(child: ChildProcess, onOutput: (chunk: string) => void): void {
  child.stdout?.setEncoding('utf8').on('data', onOutput);
  child.stderr?.setEncoding('utf8').on('data', onOutput);
}

/** initdb reads the superuser password from a file; it must be readable by the user initdb runs as, and by no one else. */
async function writePasswordFile(password: string, user: PostgresUser | undefined): Promise<string> {
  const file = path.join(tmpdir(), `tts-pwfile-${randomBytes(8).toString('hex')}`);
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  if (user) await chown(file, user.uid, user.gid);
  return file;
}
