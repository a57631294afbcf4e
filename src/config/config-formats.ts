import convict from 'convict';

/**
 * Custom convict formats. Each throws an Error whose message is a short problem phrase ("must be ..."); load-settings
 * runs these checks itself (checkOf) and turns a phrase into "Invalid setting <ENV_VAR>: <phrase> (got <value>)".
 *
 * Named formats (registered with convict.addFormats) exist for the settings that need coercion from
 * environment text: convict only coerces through a named format, and its built-in port/int/nat use
 * parseInt, which silently reads "3000abc" as 3000 and reports "abc" as NaN.
 * Formats that need no coercion are plain validator functions.
 */

const WHOLE_NUMBER_TEXT = /^-?\d+$/;
const STANDARD_POSTGRES_PORT = 5432;

/** Only whole-number text becomes a number; anything else stays text, fails validation and is quoted as given. */
function toWholeNumber(value: unknown): unknown {
  const text = typeof value === 'string' ? value.trim() : '';
  return WHOLE_NUMBER_TEXT.test(text) ? Number(text) : value;
}

function isPort(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 65535;
}

function assertPort(value: unknown): void {
  if (!isPort(value)) throw new Error('must be a port number');
}

function assertEmbeddedPostgresPort(value: unknown): void {
  assertPort(value);
  if (value === STANDARD_POSTGRES_PORT) {
    throw new Error('must not be 5432, the port of a system PostgreSQL the embedded one would collide with (use 0 to pick a free port)');
  }
}

/** Bounds come from the schema item's own `min` / `max` keys, so one format serves every counted setting. */
function assertBoundedInteger(value: unknown, schema: convict.SchemaObj): void {
  const min = typeof schema.min === 'number' ? schema.min : 0;
  const max = typeof schema.max === 'number' ? schema.max : Number.MAX_SAFE_INTEGER;
  if (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max) return;
  throw new Error(max === Number.MAX_SAFE_INTEGER ? `must be a whole number, ${min} or more` : `must be a whole number from ${min} to ${max}`);
}

function assertPostgresUrl(value: unknown): void {
  if (typeof value !== 'string' || !URL.canParse(value) || !['postgres:', 'postgresql:'].includes(new URL(value).protocol)) {
    throw new Error('must be a postgres:// or postgresql:// URL');
  }
}

function toOriginList(value: unknown): unknown {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== '')
    : value;
}

/** An origin is exactly what a browser sends in the Origin header: scheme, host and port, no path or trailing slash. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  return ['http:', 'https:'].includes(url.protocol) && url.origin === value;
}

function assertOriginList(value: unknown): void {
  if (!Array.isArray(value) || !value.every(isOrigin)) {
    throw new Error('must be a comma-separated list of origins such as https://shop.example.com (no path, no trailing slash)');
  }
}

/** Only the words true and false become booleans: convict's own Boolean format reads any other text ("no", "0") as true. */
function toBoolean(value: unknown): unknown {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  return text === 'true' ? true : text === 'false' ? false : value;
}

function assertBoolean(value: unknown): void {
  if (typeof value !== 'boolean') throw new Error('must be true or false');
}

export function oneOf<T extends string>(values: readonly T[]): (value: unknown) => void {
  return (value) => {
    if (!values.includes(value as T)) throw new Error(`must be one of ${values.join(', ')}`);
  };
}

export function nonEmptyString(problem: string): (value: unknown) => void {
  return (value) => {
    if (typeof value !== 'string' || value.trim() === '') throw new Error(problem);
  };
}

export function hostName(value: unknown): void {
  if (typeof value !== 'string' || !/^[^\s/]+$/.test(value)) throw new Error('must be a host name or IP address');
}

/** Format names used by config.schema.ts. */
export const FORMAT = {
  port: 'port-number',
  embeddedPostgresPort: 'embedded-postgres-port',
  boundedInteger: 'bounded-integer',
  postgresUrl: 'postgres-url',
  originList: 'origin-list',
  boolean: 'true-or-false',
} as const;

/** A format's check: throws an Error whose message is the problem phrase; `schema` is the setting's schema item. */
export type SettingCheck = (value: unknown, schema: convict.SchemaObj) => void;

const NAMED_FORMATS: Record<(typeof FORMAT)[keyof typeof FORMAT], { validate: SettingCheck; coerce?: (value: unknown) => unknown }> = {
  [FORMAT.port]: { validate: assertPort, coerce: toWholeNumber },
  [FORMAT.embeddedPostgresPort]: { validate: assertEmbeddedPostgresPort, coerce: toWholeNumber },
  [FORMAT.boundedInteger]: { validate: assertBoundedInteger, coerce: toWholeNumber },
  [FORMAT.postgresUrl]: { validate: assertPostgresUrl },
  [FORMAT.originList]: { validate: assertOriginList, coerce: toOriginList },
  [FORMAT.boolean]: { validate: assertBoolean, coerce: toBoolean },
};

/** Registering is idempotent (convict keeps one global table keyed by name). */
export function registerConfigFormats(): void {
  convict.addFormats(NAMED_FORMATS);
}

/**
 * The check behind a schema item's `format`: one of ours, by name or as a function. load-settings runs these checks
 * itself to name each bad setting, so a format convict would check some other way (a built-in name, a constructor,
 * a list of values) is refused here rather than left unchecked there.
 */
export function checkOf(format: unknown): SettingCheck {
  if (typeof format === 'function') return format as SettingCheck;
  const named = typeof format === 'string' ? NAMED_FORMATS[format as keyof typeof NAMED_FORMATS] : undefined;
  if (!named) throw new Error(`setting format ${JSON.stringify(format)} is not one of config-formats.ts`);
  return named.validate;
}
