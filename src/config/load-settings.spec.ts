import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from './app-settings';
import { ConfigError } from './config-error';
import { loadSettings } from './load-settings';

const PRODUCTION_SECRET = 'a'.repeat(32);

function errorOf(env: NodeJS.ProcessEnv, configDir?: string): ConfigError {
  try {
    loadSettings(env, configDir);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadSettings to throw');
}

describe('loadSettings', () => {
  it('gives the documented defaults in development', () => {
    const settings = loadSettings({});

    expect(settings).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: null,
      databasePoolSize: 10,
      logLevel: 'info',
      logFormat: 'pretty',
      rateLimit: { userPerMinute: 120, addressPerMinute: 600 },
      embeddedPostgres: { port: 0 },
      corsOrigins: [],
      shutdownGraceMs: 10000,
    });
    expect(isAbsolute(settings.embeddedPostgres.dir)).toBe(true);
    expect(settings.embeddedPostgres.dir.endsWith(join('.data', 'postgres'))).toBe(true);
  });

  it('returns frozen settings', () => {
    const settings = loadSettings({});

    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.rateLimit)).toBe(true);
    expect(Object.isFrozen(settings.corsOrigins)).toBe(true);
  });

  it('applies config/test.json for NODE_ENV=test: rate limits off, level warn', () => {
    const settings = loadSettings({ NODE_ENV: 'test' });

    expect(settings.rateLimit).toEqual({ userPerMinute: 0, addressPerMinute: 0 });
    expect(settings.logLevel).toBe('warn');
  });

  it('lets environment variables override the json files', () => {
    const settings = loadSettings({ NODE_ENV: 'test', LOG_LEVEL: 'debug', RATE_LIMIT_USER_PER_MINUTE: '30', PORT: '8080' });

    expect(settings.logLevel).toBe('debug');
    expect(settings.rateLimit.userPerMinute).toBe(30);
    expect(settings.port).toBe(8080);
  });

  it('treats an empty environment variable as unset', () => {
    expect(loadSettings({ PORT: '', DATABASE_URL: '  ' })).toMatchObject({ port: 3000, databaseUrl: null });
  });

  it('uses a development JWT secret, flagged as the default, outside production', () => {
    const settings = loadSettings({ NODE_ENV: 'development' });

    expect(settings.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(settings.jwtSecretIsDevelopmentDefault).toBe(true);
  });

  it('uses JWT_SECRET and json logs in production', () => {
    const settings = loadSettings({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET });

    expect(settings.jwtSecret).toBe(PRODUCTION_SECRET);
    expect(settings.jwtSecretIsDevelopmentDefault).toBe(false);
    expect(settings.logFormat).toBe('json');
  });

  it('parses CORS_ORIGINS as a comma-separated list', () => {
    const settings = loadSettings({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' });

    expect(settings.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
  });

  it('accepts a postgres URL', () => {
    expect(loadSettings({ DATABASE_URL: 'postgresql://tts:pw@db:5432/tts' }).databaseUrl).toBe('postgresql://tts:pw@db:5432/tts');
  });

  describe('rejects bad values with one line naming the environment variable', () => {
    it.each([
      [{ PORT: 'abc' }, 'Invalid setting PORT: must be a port number (got "abc")'],
      [{ PORT: '3000abc' }, 'Invalid setting PORT: must be a port number (got "3000abc")'],
      [{ PORT: '70000' }, 'Invalid setting PORT: must be a port number (got "70000")'],
      [{ LOG_LEVEL: 'verbose' }, 'Invalid setting LOG_LEVEL: must be one of error, warn, info, debug (got "verbose")'],
      [{ LOG_FORMAT: 'xml' }, 'Invalid setting LOG_FORMAT: must be one of json, pretty (got "xml")'],
      [{ NODE_ENV: 'staging' }, 'Invalid setting NODE_ENV: must be one of production, development, test (got "staging")'],
      [{ DATABASE_POOL_SIZE: '0' }, 'Invalid setting DATABASE_POOL_SIZE: must be a whole number from 1 to 200 (got "0")'],
      [{ RATE_LIMIT_ADDRESS_PER_MINUTE: '-1' }, 'Invalid setting RATE_LIMIT_ADDRESS_PER_MINUTE: must be a whole number, 0 or more (got "-1")'],
      [{ DATABASE_URL: 'mysql://x' }, 'Invalid setting DATABASE_URL: must be a postgres:// or postgresql:// URL (got "mysql://x")'],
      [{ CORS_ORIGINS: 'https://a.example/' }, 'Invalid setting CORS_ORIGINS'],
      [{ DEMO_DATA: 'yes' }, 'Invalid setting DEMO_DATA: must be true or false (got "yes")'],
    ])('%j', (env, expected) => {
      const error = errorOf(env);

      expect(error.message.startsWith(expected)).toBe(true);
      expect(error.message).not.toContain('\n');
    });
  });

  it('seeds demo data in development only, unless DEMO_DATA says otherwise', () => {
    expect(loadSettings({}).demoData).toBe(true);
    expect(loadSettings({ NODE_ENV: 'test' }).demoData).toBe(false);
    expect(loadSettings({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET }).demoData).toBe(false);
    expect(loadSettings({ NODE_ENV: 'test', DEMO_DATA: 'true' }).demoData).toBe(true);
    expect(loadSettings({ NODE_ENV: 'development', DEMO_DATA: 'FALSE' }).demoData).toBe(false);
  });

  it('refuses DEMO_DATA=true in production', () => {
    expect(errorOf({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET, DEMO_DATA: 'true' }).message).toBe(
      'Invalid setting DEMO_DATA: must be false when NODE_ENV is production (demo shoes are made-up data)',
    );
  });

  it('refuses EMBEDDED_POSTGRES_PORT=5432 with a reason', () => {
    expect(errorOf({ EMBEDDED_POSTGRES_PORT: '5432' }).message).toMatch(/^Invalid setting EMBEDDED_POSTGRES_PORT: must not be 5432/);
  });

  it('does not print the password of a rejected DATABASE_URL', () => {
    const message = errorOf({ DATABASE_URL: 'mysql://user:hunter2@db/x' }).message;

    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('reports every bad setting at once', () => {
    const error = errorOf({ PORT: 'abc', LOG_LEVEL: 'verbose' });

    expect(error.issues.map((issue) => issue.subject)).toEqual(['setting PORT', 'setting LOG_LEVEL']);
    expect(error.message).toMatch(/^Invalid configuration: setting PORT: .*; setting LOG_LEVEL: /);
  });

  describe('JWT_SECRET in production', () => {
    it('is required', () => {
      expect(errorOf({ NODE_ENV: 'production' }).message).toBe(
        'Invalid setting JWT_SECRET: is required when NODE_ENV is production (at least 32 characters)',
      );
    });

    it('must be at least 32 characters, and is never echoed', () => {
      const message = errorOf({ NODE_ENV: 'production', JWT_SECRET: 'short-secret' }).message;

      expect(message).toBe('Invalid setting JWT_SECRET: must be at least 32 characters when NODE_ENV is production');
    });

    it('must not be the development secret', () => {
      expect(errorOf({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET }).message).toMatch(/^Invalid setting JWT_SECRET: must not be the development secret/);
    });
  });

  describe('config files', () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tts-config-'));
      writeFileSync(join(dir, 'default.json'), JSON.stringify({ server: { port: 4000 }, log: { level: 'warn' } }));
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('layers default.json, <NODE_ENV>.json and the environment', () => {
      writeFileSync(join(dir, 'test.json'), JSON.stringify({ server: { port: 5000, host: '0.0.0.0' } }));

      const settings = loadSettings({ NODE_ENV: 'test', HOST: '::1' }, dir);

      expect(settings).toMatchObject({ port: 5000, host: '::1', logLevel: 'warn' });
    });

    it('names the file that holds a bad value', () => {
      writeFileSync(join(dir, 'test.json'), JSON.stringify({ server: { port: 70000 } }));

      expect(errorOf({ NODE_ENV: 'test' }, dir).message).toBe(`Invalid setting PORT: must be a port number (got 70000 in ${join(dir, 'test.json')})`);
    });

    it('rejects keys the schema does not know', () => {
      writeFileSync(join(dir, 'test.json'), JSON.stringify({ log: { lvl: 'debug' } }));

      expect(errorOf({ NODE_ENV: 'test' }, dir).message).toBe(`Invalid key "log.lvl" in ${join(dir, 'test.json')}: is not a known setting`);
    });

    it('names the settings a file removed by giving their parent a plain value, and the key it put there', () => {
      writeFileSync(join(dir, 'test.json'), JSON.stringify({ demo: 5 }));

      expect(errorOf({ NODE_ENV: 'test' }, dir).issues).toEqual([
        { subject: 'setting DEMO_DATA', problem: 'is missing: a config file replaced one of its parent objects with a plain value' },
        { subject: `key "demo" in ${join(dir, 'test.json')}`, problem: 'is not a known setting' },
      ]);
    });

    it('checks an object given for a setting that may hold one with that setting\'s own rule', () => {
      writeFileSync(join(dir, 'test.json'), JSON.stringify({ database: { url: { host: 'db' } } }));

      expect(errorOf({ NODE_ENV: 'test' }, dir).message).toBe(
        `Invalid setting DATABASE_URL: must be a postgres:// or postgresql:// URL (got {"host":"db"} in ${join(dir, 'test.json')})`,
      );
    });

    it('reports a file that is not JSON', () => {
      writeFileSync(join(dir, 'test.json'), '{ "log": ');

      expect(errorOf({ NODE_ENV: 'test' }, dir).message).toMatch(/^Invalid config file .*test\.json: is not valid JSON/);
    });

    it('requires default.json', () => {
      rmSync(join(dir, 'default.json'));

      expect(errorOf({}, dir).message).toMatch(/^Invalid config file .*default\.json: is missing$/);
    });
  });
});
