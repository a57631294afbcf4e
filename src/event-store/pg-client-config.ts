import type { ClientConfig } from 'pg';
import type { DataSourceOptions } from 'typeorm';

/**
 * Connection settings for a dedicated `pg.Client` (the feed's LISTEN connection) taken from the
 * application's TypeORM DataSource, mapped the way TypeORM's PostgresDriver builds its pool
 * (url/host/port/username/password/database/ssl, then `extra` on top).
 */
export function pgClientConfig(options: DataSourceOptions, applicationName: string): ClientConfig {
  if (options.type !== 'postgres') throw new Error(`The event store needs PostgreSQL, not ${options.type}`);
  return {
    connectionString: options.url,
    host: options.host,
    port: options.port,
    user: options.username,
    password: options.password,
    database: options.database,
    ssl: options.ssl as ClientConfig['ssl'],
    connectionTimeoutMillis: options.connectTimeoutMS,
    ...(options.extra as ClientConfig | undefined),
    application_name: applicationName,
    // A LISTEN connection is idle for long stretches: let TCP keepalive notice a dead peer.
    keepAlive: true,
  };
}
