import convict from 'convict';
import { checkOf, FORMAT, hostName, nonEmptyString, oneOf, registerConfigFormats, type SettingCheck } from './config-formats';

/**
 * Every setting of the service, for convict. Each one is read, lowest precedence first, from:
 * its default here, config/default.json, config/<NODE_ENV>.json (when present), then its environment variable.
 * An environment variable that is set but empty counts as unset (compose files often pass `FOO=`).
 *
 * The config/*.json files use the nested keys of this schema (unknown keys are rejected):
 *
 *   {
 *     "server":           { "port": 3000, "host": "127.0.0.1", "corsOrigins": [], "shutdownGraceMs": 10000 },
 *     "database":         { "url": null, "poolSize": 10 },
 *     "embeddedPostgres": { "dir": ".data/postgres", "port": 0 },
 *     "auth":             { "jwtSecret": null },
 *     "log":              { "level": "info", "format": null },
 *     "rateLimit":        { "userPerMinute": 120, "addressPerMinute": 600 },
 *     "feed":             { "subscriberQueueSize": 1000, "replayPoolSize": 2 },
 *     "writes":           { "groupMaxCommands": 64, "groupConcurrency": 2 },
 *     "sockets":          { "maxPayloadBytes": 102400, "connectionInitTimeoutMs": 3000, "maxPerAddress": 64, "maxSubscriptionsPerSocket": 100 },
 *     "demo":             { "data": false }
 *   }
 *
 * `env` (NODE_ENV) is top-level; set it by the environment variable, since it chooses which file is loaded.
 */

export const NODE_ENVS = ['production', 'development', 'test'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export type NodeEnv = (typeof NODE_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The values as convict holds them, before load-settings resolves defaults that depend on other settings. */
export interface RawSettings {
  env: NodeEnv;
  server: { port: number; host: string; corsOrigins: string[]; shutdownGraceMs: number };
  database: { url: string | null; poolSize: number };
  embeddedPostgres: { dir: string; port: number };
  auth: { jwtSecret: string | null };
  log: { level: LogLevel; format: LogFormat | null };
  rateLimit: { userPerMinute: number; addressPerMinute: number };
  feed: { subscriberQueueSize: number; replayPoolSize: number };
  readCache: { size: number };
  writes: { groupMaxCommands: number; groupConcurrency: number };
  sockets: { maxPayloadBytes: number; connectionInitTimeoutMs: number; maxPerAddress: number; maxSubscriptionsPerSocket: number };
  demo: { data: boolean };
}

// The schema below names these formats, and convict resolves names when the schema is used: register them with it.
registerConfigFormats();

export const settingsSchema: convict.Schema<RawSettings> = {
  env: {
    doc: 'Runtime environment; chooses config/<env>.json and the production-only checks.',
    env: 'NODE_ENV',
    format: oneOf(NODE_ENVS),
    default: 'development',
  },
  server: {
    port: {
      doc: 'HTTP and WebSocket port.',
      env: 'PORT',
      format: FORMAT.port,
      default: 3000,
    },
    host: {
      doc: 'Interface to listen on; 127.0.0.1 keeps the service local, 0.0.0.0 exposes it (e.g. in a container).',
      env: 'HOST',
      format: hostName,
      default: '127.0.0.1',
    },
    corsOrigins: {
      doc: 'Browser origins allowed by CORS, comma-separated (e.g. "https://a.example,https://b.example"); empty = none.',
      env: 'CORS_ORIGINS',
      format: FORMAT.originList,
      default: [],
    },
    shutdownGraceMs: {
      doc: 'How long a shutdown waits for in-flight requests and subscriptions before closing them, in ms.',
      env: 'SHUTDOWN_GRACE_MS',
      format: FORMAT.boundedInteger,
      min: 0,
      default: 10000,
    },
  },
  database: {
    url: {
      doc: 'PostgreSQL connection URL (postgres:// or postgresql://); null = start an embedded PostgreSQL.',
      env: 'DATABASE_URL',
      format: FORMAT.postgresUrl,
      nullable: true,
      default: null,
    },
    poolSize: {
      doc: 'Maximum connections in the database pool.',
      env: 'DATABASE_POOL_SIZE',
      format: FORMAT.boundedInteger,
      min: 1,
      max: 200,
      default: 10,
    },
  },
  embeddedPostgres: {
    dir: {
      doc: 'Data directory of the embedded PostgreSQL (used when DATABASE_URL is unset), relative to the repository root.',
      env: 'EMBEDDED_POSTGRES_DIR',
      format: nonEmptyString('must be a directory path'),
      default: '.data/postgres',
    },
    port: {
      doc: 'Port of the embedded PostgreSQL; 0 = pick a free port. 5432 is refused: it belongs to a system PostgreSQL.',
      env: 'EMBEDDED_POSTGRES_PORT',
      format: FORMAT.embeddedPostgresPort,
      default: 0,
    },
  },
  auth: {
    jwtSecret: {
      doc: 'HMAC secret for signing and verifying JWTs. Required in production (at least 32 characters); elsewhere null = a fixed development secret, with a warning.',
      env: 'JWT_SECRET',
      format: nonEmptyString('must be a non-empty string'),
      nullable: true,
      sensitive: true,
      default: null,
    },
  },
  log: {
    level: {
      doc: 'Lowest level written: error, warn, info or debug.',
      env: 'LOG_LEVEL',
      format: oneOf(LOG_LEVELS),
      default: 'info',
    },
    format: {
      doc: 'json (one JSON object per line) or pretty (coloured, for people); null = json in production, pretty otherwise.',
      env: 'LOG_FORMAT',
      format: oneOf(LOG_FORMATS),
      nullable: true,
      default: null,
    },
  },
  rateLimit: {
    userPerMinute: {
      doc: 'Mutations per minute allowed to one signed-in user; 0 turns the limit off.',
      env: 'RATE_LIMIT_USER_PER_MINUTE',
      format: FORMAT.boundedInteger,
      min: 0,
      default: 120,
    },
    addressPerMinute: {
      doc: 'Mutations per minute allowed from one client IP address; 0 turns the limit off.',
      env: 'RATE_LIMIT_ADDRESS_PER_MINUTE',
      format: FORMAT.boundedInteger,
      min: 0,
      default: 600,
    },
  },
  feed: {
    subscriberQueueSize: {
      doc: 'Events a live subscriber may have unsent before it is ended with SUBSCRIPTION_LAGGED (it resumes with `after`); bounds the memory one slow client can hold.',
      env: 'FEED_SUBSCRIBER_QUEUE_SIZE',
      format: FORMAT.boundedInteger,
      min: 1,
      max: 1000000,
      default: 1000,
    },
    replayPoolSize: {
      doc: "Connections of the event feed's own for replaying `shoeEvents(after:)` history, beside its LISTEN connection and the one that follows the log; none of them comes from the database pool.",
      env: 'FEED_REPLAY_POOL_SIZE',
      format: FORMAT.boundedInteger,
      min: 1,
      max: 50,
      default: 2,
    },
  },
  readCache: {
    size: {
      doc: "Shoes kept in each instance's always-fresh read cache (shoe by id, LRU, invalidated by the event feed), and query answers kept in its answer cache (LRU, each of at most 4 shoes); 0 turns both off. A ShoeRow is well under 1 kB, so the default holds under ~10 MB each.",
      env: 'READ_CACHE_SIZE',
      format: FORMAT.boundedInteger,
      min: 0,
      max: 1000000,
      default: 10000,
    },
  },
  writes: {
    groupMaxCommands: {
      doc: 'Group commit: most ratings (submit/retract) that share one transaction; 1 = each rating commits alone.',
      env: 'WRITE_GROUP_MAX_COMMANDS',
      format: FORMAT.boundedInteger,
      min: 1,
      max: 1000,
      default: 64,
    },
    groupConcurrency: {
      doc: 'Group commit: rating transactions in flight at once per instance (each holds one pooled connection).',
      env: 'WRITE_GROUP_CONCURRENCY',
      format: FORMAT.boundedInteger,
      min: 1,
      max: 100,
      default: 2,
    },
  },
  sockets: {
    maxPayloadBytes: {
      doc: 'Largest WebSocket message (frame) accepted on /graphql, both protocols; a larger one closes the socket with 1009. Same order as the 100 kB HTTP body limit.',
      env: 'WS_MAX_PAYLOAD_BYTES',
      format: FORMAT.boundedInteger,
      min: 1024,
      max: 104857600,
      default: 102400,
    },
    connectionInitTimeoutMs: {
      doc: 'A socket that has not sent connection_init within this time is closed with 4408, both protocols.',
      env: 'WS_CONNECTION_INIT_TIMEOUT_MS',
      format: FORMAT.boundedInteger,
      min: 100,
      max: 600000,
      default: 3000,
    },
    maxPerAddress: {
      doc: 'Open WebSockets allowed from one client IP address per instance; one more is closed with 4429. 0 turns the limit off.',
      env: 'WS_MAX_SOCKETS_PER_ADDRESS',
      format: FORMAT.boundedInteger,
      min: 0,
      default: 64,
    },
    maxSubscriptionsPerSocket: {
      doc: 'Subscriptions one socket may have running at once; one more fails with RATE_LIMITED (the socket stays open). 0 turns the limit off.',
      env: 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET',
      format: FORMAT.boundedInteger,
      min: 0,
      default: 100,
    },
  },
  demo: {
    data: {
      doc: 'Seed a few demo shoes with ratings, through the commands, when the database has no shoes at start. true only in config/development.json; refused in production.',
      env: 'DEMO_DATA',
      format: FORMAT.boolean,
      default: false,
    },
  },
};

export interface SettingDescriptor {
  /** Dotted key path, as in the config files and convict's get(). */
  path: string;
  envVar: string;
  sensitive: boolean;
  nullable: boolean;
  defaultValue: unknown;
  /** Its format's check, called with the item itself as convict calls it (bounds are read from `min` / `max`). */
  check: (value: unknown) => void;
}

function isLeaf(node: object): node is convict.SchemaObj {
  return 'default' in node;
}

function describeSettings(node: object, prefix = ''): SettingDescriptor[] {
  return Object.entries(node).flatMap(([key, child]: [string, object]) => {
    const path = prefix + key;
    if (!isLeaf(child)) return describeSettings(child, `${path}.`);
    const check: SettingCheck = checkOf(child.format);
    return [
      {
        path,
        envVar: String(child.env),
        sensitive: child.sensitive === true,
        nullable: child.nullable === true,
        defaultValue: child.default,
        check: (value: unknown) => check(value, child),
      },
    ];
  });
}

/** One entry per setting, in schema order; load-settings checks each and names it by its environment variable. */
export const SETTINGS: readonly SettingDescriptor[] = describeSettings(settingsSchema);
