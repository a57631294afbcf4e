import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import convict from 'convict';
import { type AppSettings, DEVELOPMENT_JWT_SECRET, redactDatabaseUrl } from './app-settings';
import { ConfigError, type ConfigIssue } from './config-error';
import { NODE_ENVS, type RawSettings, SETTINGS, type SettingDescriptor, settingsSchema } from './config.schema';
import { findRepoRoot } from './repo-root';

type Config = convict.Config<RawSettings>;

interface ConfigFile {
  /** For messages: relative to the repository root when inside it. */
  label: string;
  values: Record<string, unknown>;
}

/** What an error message may look at to say where a bad value came from. */
interface Sources {
  env: NodeJS.ProcessEnv;
  files: readonly ConfigFile[];
  values: RawSettings;
}

const MIN_PRODUCTION_SECRET_LENGTH = 32;

/**
 * Reads config/default.json, then config/<NODE_ENV>.json when present, then the environment; validates everything
 * (unknown keys in the files included) and returns frozen settings. Throws ConfigError naming each bad setting by
 * its environment variable.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, configDir: string = join(findRepoRoot(), 'config')): AppSettings {
  const effectiveEnv = withoutEmptyValues(env);
  const config = convict(settingsSchema, { env: effectiveEnv, args: [] });
  const files = loadConfigFiles(config, configDir);
  const sources: Sources = { env: effectiveEnv, files, values: config.getProperties() };
  const issues = validationIssues(config, sources);
  issues.push(...productionIssues(sources.values, issues), ...demoDataIssues(sources.values, issues));
  if (issues.length > 0) throw new ConfigError(issues);
  return toAppSettings(sources.values, findRepoRoot());
}

/** `FOO=` counts as unset: compose files and shells produce empty variables where "not configured" was meant. */
function withoutEmptyValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

function loadConfigFiles(config: Config, configDir: string): ConfigFile[] {
  const files = [readConfigFile(configDir, 'default.json', true)];
  applyConfigFile(config, files[0]);
  // Only a valid NODE_ENV picks a file, so an odd value cannot point the loader at an arbitrary path.
  const nodeEnv = config.get('env');
  const envFile = NODE_ENVS.includes(nodeEnv) ? readConfigFile(configDir, `${nodeEnv}.json`, false) : undefined;
  if (envFile) {
    applyConfigFile(config, envFile);
    files.push(envFile);
  }
  return files;
}

function readConfigFile(configDir: string, name: string, required: true): ConfigFile;
function readConfigFile(configDir: string, name: string, required: boolean): ConfigFile | undefined;
function readConfigFile(configDir: string, name: string, required: boolean): ConfigFile | undefined {
  const path = join(configDir, name);
  const label = labelOf(path);
  if (!existsSync(path)) {
    if (required) throw new ConfigError([{ subject: `config file ${label}`, problem: 'is missing' }]);
    return undefined;
  }
  const values = parseJson(readFileSync(path, 'utf8'), label);
  if (!isRecord(values)) throw new ConfigError([{ subject: `config file ${label}`, problem: 'must hold a JSON object' }]);
  return { label, values };
}

function labelOf(path: string): string {
  const fromRoot = relative(findRepoRoot(), path);
  return fromRoot.startsWith('..') || isAbsolute(fromRoot) ? path : fromRoot;
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ subject: `config file ${label}`, problem: `is not valid JSON (${(error as Error).message})` }]);
  }
}

/** convict can throw a TypeError on some malformed nestings (a setting given an object of objects); report the file. */
function applyConfigFile(config: Config, file: ConfigFile): void {
  try {
    config.load(file.values);
  } catch (error) {
    throw new ConfigError([{ subject: `config file ${file.label}`, problem: `has a malformed structure (${(error as Error).message})` }]);
  }
}

/**
 * Every problem with the merged values, named the way an operator fixes it. convict's validate() reports problems
 * only as one multi-line string, so rather than reading that text this applies the same rules itself, to convict's
 * merged values (getProperties(), flattened as convict flattens them), in convict's order:
 *   1. each setting's own check (its format from config-formats.ts), in schema order;
 *   2. settings that are gone because a config file replaced a parent object with a plain value;
 *   3. keys the schema does not know.
 * convict's strict validate() runs only when these find nothing, as a backstop: whatever it still refuses is
 * reported as it words it.
 */
function validationIssues(config: Config, sources: Sources): ConfigIssue[] {
  const unclaimed = flattenLikeConvict(sources.values);
  const invalid: ConfigIssue[] = [];
  const missing: ConfigIssue[] = [];
  for (const setting of SETTINGS) {
    const value = claim(unclaimed, setting, sources.values);
    if (value === MISSING) {
      missing.push({ subject: `setting ${setting.envVar}`, problem: 'is missing: a config file replaced one of its parent objects with a plain value' });
      continue;
    }
    const problem = problemOf(setting, value);
    if (problem !== undefined) invalid.push({ subject: `setting ${setting.envVar}`, problem: problem + describeValue(setting, sources) });
  }
  const undeclared = [...unclaimed.keys()].map((path) => ({
    subject: `key "${path}" in ${fileSetting(path, sources) ?? 'the config files'}`,
    problem: 'is not a known setting',
  }));
  const issues = [...invalid, ...missing, ...undeclared];
  return issues.length > 0 ? issues : convictBackstop(config);
}

const MISSING = Symbol('missing');

/**
 * The setting's value, taken out of `unclaimed` (with anything under it): MISSING when it has none. As convict: a
 * setting whose default is an object (null included) may hold an object, whose keys then belong to it.
 */
function claim(unclaimed: Map<string, unknown>, setting: SettingDescriptor, values: RawSettings): unknown {
  if (unclaimed.has(setting.path)) {
    const value = unclaimed.get(setting.path);
    unclaimed.delete(setting.path);
    return value;
  }
  const holdsObjects = typeof setting.defaultValue === 'object' && !Array.isArray(setting.defaultValue);
  const value = holdsObjects ? valueAt(values, setting.path) : undefined;
  if (value === undefined) return MISSING;
  for (const path of unclaimed.keys()) if (path.startsWith(`${setting.path}.`)) unclaimed.delete(path);
  return value;
}

/** The setting's own check: its problem phrase, or undefined when the value is fine (null is, where allowed). */
function problemOf(setting: SettingDescriptor, value: unknown): string | undefined {
  if (value === null && setting.nullable) return undefined;
  try {
    setting.check(value);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Dotted paths to values, breadth first, as convict's validate() flattens its instance (so issues come in its order):
 * a non-empty plain object is walked into; anything else, arrays and empty objects included, is a value.
 */
function flattenLikeConvict(root: object): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  const queue: [string, unknown][] = Object.entries(root);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [path, value] = next;
    if (isRecord(value) && Object.keys(value).length > 0) queue.push(...Object.entries(value).map(([key, child]): [string, unknown] => [`${path}.${key}`, child]));
    else flat.set(path, value);
  }
  return flat;
}

/** Should never find anything the walk above did not: if it does, its own words are all there is. */
function convictBackstop(config: Config): ConfigIssue[] {
  try {
    config.validate({ allowed: 'strict' });
    return [];
  } catch (error) {
    return [{ subject: 'configuration', problem: (error as Error).message.split('\n').join('; ') }];
  }
}

/** ` (got "abc")`, or ` (got 70000 in config/production.json)` when the value came from a file; nothing for secrets. */
function describeValue(setting: SettingDescriptor, sources: Sources): string {
  if (setting.sensitive) return '';
  const fromEnv = sources.env[setting.envVar];
  const value = fromEnv ?? valueAt(sources.values, setting.path);
  const shown = showValue(setting, value);
  if (shown === undefined) return '';
  const file = fromEnv === undefined ? fileSetting(setting.path, sources) : undefined;
  return file ? ` (got ${shown} in ${file})` : ` (got ${shown})`;
}

function showValue(setting: SettingDescriptor, value: unknown): string | undefined {
  if (setting.envVar === 'DATABASE_URL' && typeof value === 'string') {
    // A database URL may carry a password; an unparseable one cannot be masked reliably, so it is not shown.
    return URL.canParse(value) ? JSON.stringify(redactDatabaseUrl(value)) : undefined;
  }
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** The last file that sets `path`: the one whose value won. */
function fileSetting(path: string, sources: Sources): string | undefined {
  return sources.files.findLast((file) => valueAt(file.values, path) !== undefined)?.label;
}

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined), root);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rules convict cannot express (they depend on NODE_ENV). Skipped when JWT_SECRET already has a problem. */
function productionIssues(values: RawSettings, earlier: readonly ConfigIssue[]): ConfigIssue[] {
  const secret = values.auth.jwtSecret;
  if (values.env !== 'production' || earlier.some((issue) => issue.subject === 'setting JWT_SECRET')) return [];
  const problem =
    secret === null
      ? `is required when NODE_ENV is production (at least ${MIN_PRODUCTION_SECRET_LENGTH} characters)`
      : secret === DEVELOPMENT_JWT_SECRET
        ? 'must not be the development secret when NODE_ENV is production'
        : secret.length < MIN_PRODUCTION_SECRET_LENGTH
          ? `must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters when NODE_ENV is production`
          : undefined;
  return problem ? [{ subject: 'setting JWT_SECRET', problem }] : [];
}

/** Demo shoes are made-up data: a production database never gets them, so asking for them there is a mistake. */
function demoDataIssues(values: RawSettings, earlier: readonly ConfigIssue[]): ConfigIssue[] {
  if (values.env !== 'production' || !values.demo.data || earlier.some((issue) => issue.subject === 'setting DEMO_DATA')) return [];
  return [{ subject: 'setting DEMO_DATA', problem: 'must be false when NODE_ENV is production (demo shoes are made-up data)' }];
}

function toAppSettings(raw: RawSettings, repoRoot: string): AppSettings {
  return deepFreeze({
    env: raw.env,
    port: raw.server.port,
    host: raw.server.host,
    databaseUrl: raw.database.url,
    databasePoolSize: raw.database.poolSize,
    jwtSecret: raw.auth.jwtSecret ?? DEVELOPMENT_JWT_SECRET,
    jwtSecretIsDevelopmentDefault: raw.auth.jwtSecret === null,
    logLevel: raw.log.level,
    logFormat: raw.log.format ?? (raw.env === 'production' ? 'json' : 'pretty'),
    rateLimit: { userPerMinute: raw.rateLimit.userPerMinute, addressPerMinute: raw.rateLimit.addressPerMinute },
    embeddedPostgres: { dir: resolve(repoRoot, raw.embeddedPostgres.dir), port: raw.embeddedPostgres.port },
    corsOrigins: [...raw.server.corsOrigins],
    shutdownGraceMs: raw.server.shutdownGraceMs,
    feedSubscriberQueueSize: raw.feed.subscriberQueueSize,
    writeGroup: { maxCommands: raw.writes.groupMaxCommands, concurrency: raw.writes.groupConcurrency },
    feedReplayPoolSize: raw.feed.replayPoolSize,
    readCacheSize: raw.readCache.size,
    sockets: { ...raw.sockets },
    demoData: raw.demo.data,
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
