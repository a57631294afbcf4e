import type { LogFormat, LogLevel, NodeEnv } from './config.schema';

/** The validated settings the application runs with: complete, typed and frozen (see load-settings.ts). */
export type AppSettings = Readonly<{
  env: NodeEnv;
  port: number;
  host: string;
  /** null = use the embedded PostgreSQL described by `embeddedPostgres`. */
  databaseUrl: string | null;
  databasePoolSize: number;
  jwtSecret: string;
  /** True when JWT_SECRET was unset and DEVELOPMENT_JWT_SECRET is in use (never in production). */
  jwtSecretIsDevelopmentDefault: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Mutations per minute; 0 = that limit is off. */
  rateLimit: Readonly<{ userPerMinute: number; addressPerMinute: number }>;
  /** `dir` is absolute. */
  embeddedPostgres: Readonly<{ dir: string; port: number }>;
  corsOrigins: readonly string[];
  shutdownGraceMs: number;
  /** Events a live subscriber may have queued before it is ended as lagged (EventFeed's subscriberQueueSize). */
  feedSubscriberQueueSize: number;
  /** Group commit of ratings (RatingGroupCommit): commands per transaction, transactions in flight. */
  writeGroup: Readonly<{ maxCommands: number; concurrency: number }>;
  /** Connections the event feed opens for replays, beside its LISTEN and follow connections (EventFeed's replayPoolSize). */
  feedReplayPoolSize: number;
  /** Shoes each instance keeps in its read cache (ShoeReadCache); 0 = off. */
  readCacheSize: number;
  /** WebSocket limits on /graphql, both protocols (0 = that limit is off, for the two counts). */
  sockets: Readonly<{ maxPayloadBytes: number; connectionInitTimeoutMs: number; maxPerAddress: number; maxSubscriptionsPerSocket: number }>;
  /** Seed demo shoes into an empty database at start (DEMO_DATA; never true in production). */
  demoData: boolean;
}>;

/**
 * Public on purpose: it only lets development and test runs sign tokens without setup.
 * load-settings refuses it in production.
 */
export const DEVELOPMENT_JWT_SECRET = 'true-to-size-development-only-secret-not-for-production';

const MASK = '***';

/** Masks the password (in the user-info part and in a `password` query parameter, which pg also reads). */
export function redactDatabaseUrl(url: string): string {
  if (!URL.canParse(url)) return '[unparseable URL]';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = MASK;
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', MASK);
  return parsed.toString();
}

/** A copy of the settings that is safe to log: no JWT secret, no database password. */
export function redactedSettings(settings: AppSettings): Record<string, unknown> {
  return {
    ...settings,
    databaseUrl: settings.databaseUrl === null ? null : redactDatabaseUrl(settings.databaseUrl),
    jwtSecret: settings.jwtSecretIsDevelopmentDefault ? '[development default]' : '[redacted]',
  };
}

/** Things an operator should know at start-up; the logging module writes them once the logger exists. */
export function settingsWarnings(settings: AppSettings): string[] {
  // Tests run on the development secret by design; warning there would only be noise.
  if (!settings.jwtSecretIsDevelopmentDefault || settings.env === 'test') return [];
  return ['JWT_SECRET is not set: using the built-in development secret. Anyone can mint tokens for this server; set JWT_SECRET outside development.'];
}
