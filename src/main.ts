import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError } from './config/config-error';
import { loadSettings } from './config/load-settings';
import type { AppSettings } from './config/app-settings';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { HttpDrain } from './http-drain';
import { createWinstonLogger } from './logging/create-winston-logger';

/** After the in-flight requests, how long WebSocket clients get to answer their close frame (1001) before being cut. */
const SOCKET_CLOSE_MS = 2_000;
/**
 * Past the grace period plus this, a shutdown that still hangs (say, on a query that never returns) exits 1;
 * an embedded PostgreSQL it leaves running is stopped by the next start (stale postmaster).
 */
const HARD_STOP_MARGIN_MS = 15_000;

/**
 * Start-up, in order:
 * 1. settings (a bad value stops here with one line naming the setting);
 * 2. the database: DATABASE_URL, or an embedded PostgreSQL under .data/ (stale postmaster handled there);
 * 3. Nest (migrations run under an advisory lock before anything serves), then listen;
 * 4. on SIGTERM/SIGINT: stop accepting, let in-flight work finish, close sockets, stop the embedded PostgreSQL.
 *    In that order, and bounded by SHUTDOWN_GRACE_MS:
 *    a. stop listening at once (new connections are refused), close idle keep-alive connections;
 *    b. wait for the requests in flight to answer, until the grace period ends (then they are cut);
 *    c. app.close(): subscriptions end, graphql-ws sends every socket 1001 "Going away" (a client that does not
 *       answer within SOCKET_CLOSE_MS is cut), Apollo and the database pool stop;
 *    d. the embedded PostgreSQL stops; exit 0.
 */
async function main(): Promise<void> {
  const settings = loadOrExit();
  const log = createWinstonLogger(settings).child({ context: 'Bootstrap' });
  const embedded = settings.databaseUrl
    ? null
    : await startEmbeddedPostgres({
        dir: settings.embeddedPostgres.dir,
        port: settings.embeddedPostgres.port,
        // PostgreSQL's own lines are debug detail; our notices about the cluster (fallbacks, stale processes) are not.
        log: (line) => log.log(/^(initdb|postgres): /.test(line) ? 'debug' : 'warn', line.trimEnd(), { context: 'postgres' }),
      });
  if (embedded) log.info(`embedded PostgreSQL on 127.0.0.1:${embedded.port}, data in ${embedded.dir}`);
  const app = await createApp(settings, settings.databaseUrl ?? embedded!.url);
  const drain = new HttpDrain(app.getHttpServer());
  await app.listen(settings.port, settings.host);
  log.info(`true-to-size serving http://${settings.host}:${settings.port}/graphql`);
  onceSignalled(async (signal) => {
    const deadline = Date.now() + settings.shutdownGraceMs;
    setTimeout(() => {
      process.stderr.write(`shutdown still unfinished ${HARD_STOP_MARGIN_MS} ms after the grace period: exiting\n`);
      process.exit(1);
    }, settings.shutdownGraceMs + HARD_STOP_MARGIN_MS).unref();
    log.info(`${signal}: draining (${drain.requestsInFlight} requests in flight, grace ${settings.shutdownGraceMs} ms)`);
    drain.stopAccepting();
    if (!(await drain.requestsDone(deadline))) {
      log.warn(`${drain.requestsInFlight} requests still in flight after ${settings.shutdownGraceMs} ms: cutting them`);
      drain.destroyAll();
    }
    const cut = setTimeout(() => drain.destroyAll(), Math.min(SOCKET_CLOSE_MS, Math.max(0, deadline - Date.now())));
    await app.close().finally(() => clearTimeout(cut));
    await embedded?.stop();
    log.info('stopped');
  });
}

function loadOrExit(): AppSettings {
  try {
    return loadSettings();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

function onceSignalled(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

main().catch((err) => {
  process.stderr.write(`true-to-size failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
