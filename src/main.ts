import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError } from './config/config-error';
import { loadSettings } from './config/load-settings';
import type { AppSettings } from './config/app-settings';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { createWinstonLogger } from './logging/create-winston-logger';

/**
 * Start-up, in order:
 * 1. settings (a bad value stops here with one line naming the setting);
 * 2. the database: DATABASE_URL, or an embedded PostgreSQL under .data/ (stale postmaster handled there);
 * 3. Nest (migrations run under an advisory lock before anything serves), then listen;
 * 4. on SIGTERM/SIGINT: stop accepting, let in-flight work finish, close sockets, stop the embedded PostgreSQL.
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
  await app.listen(settings.port, settings.host);
  log.info(`true-to-size serving http://${settings.host}:${settings.port}/graphql`);
  onceSignalled(async (signal) => {
    log.info(`${signal}: draining`);
    await app.close();
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
