import { Injectable, type LoggerService } from '@nestjs/common';
import type { Logger as WinstonLogger } from 'winston';

type WinstonLevel = 'error' | 'warn' | 'info' | 'debug';

/** What a Nest-style call's optional parameters mean, once read. */
interface ReadParams {
  context?: string;
  stack?: string;
  fields: Record<string, unknown>;
}

/**
 * The application's logger, and Nest's (main.ts: `app.useLogger(app.get(AppLogger))`).
 *
 * Nest-style methods take `(message, ...optionalParams)` as Nest's ConsoleLogger does: a trailing string is the
 * context, plain objects are structured fields, and for error/fatal a stack trace may come before the context.
 * Nest's `log` is winston's `info`, `verbose` is `debug`, `fatal` is `error` marked `fatal: true`.
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(
    private readonly winston: WinstonLogger,
    private readonly context?: string,
  ) {}

  /** A logger whose lines carry `context` unless a call names another. */
  child(context: string): AppLogger {
    return new AppLogger(this.winston, context);
  }

  /** Whether a line at `level` would be written: lets a caller skip building one. */
  isEnabled(level: WinstonLevel): boolean {
    return this.winston.isLevelEnabled(level);
  }

  /** A structured line: `fields` are written as separate keys (JSON) or key=value pairs (pretty). */
  info(message: string, fields: Record<string, unknown> = {}): void {
    this.write('info', message, { fields });
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, readParams(optionalParams));
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, readParams(optionalParams));
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, readParams(optionalParams));
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, readParams(optionalParams));
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, readErrorParams(optionalParams));
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    const params = readErrorParams(optionalParams);
    this.write('error', message, { ...params, fields: { ...params.fields, fatal: true } });
  }

  private write(level: WinstonLevel, message: unknown, params: ReadParams): void {
    // Checked first so filtered-out debug lines cost no formatting.
    if (!this.winston.isLevelEnabled(level)) return;
    const text = messageText(message);
    const stack = params.stack ?? (message instanceof Error ? message.stack : undefined);
    const context = params.context ?? this.context;
    this.winston.log(level, text, definedOnly({ context, ...params.fields, ...(stack === undefined ? {} : { stack }) }));
  }
}

function readParams(params: readonly unknown[]): ReadParams {
  const { context, rest } = splitContext(params);
  return { context, fields: fieldsOf(rest) };
}

/**
 * Nest calls error(message, stack?, context?) and, from a Logger with a context, error(message, undefined, context).
 * A lone parameter is the stack only when it looks like one (else it is the context, as for log()); otherwise the
 * first string left once the context is taken is the stack, where Nest's ConsoleLogger looks for it.
 */
function readErrorParams(params: readonly unknown[]): ReadParams {
  if (params.length === 1 && (params[0] === undefined || isStackTrace(params[0]))) {
    return { stack: params[0] as string | undefined, fields: {} };
  }
  const { context, rest } = isStackTrace(params.at(-1)) ? { context: undefined, rest: [...params] } : splitContext(params);
  const stackIndex = rest.findIndex((param) => typeof param === 'string');
  const stack = stackIndex >= 0 ? (rest.splice(stackIndex, 1)[0] as string) : undefined;
  return { context, stack, fields: fieldsOf(rest) };
}

function splitContext(params: readonly unknown[]): { context?: string; rest: unknown[] } {
  const last = params.at(-1);
  return typeof last === 'string' ? { context: last, rest: params.slice(0, -1) } : { rest: [...params] };
}

/**
 * Plain objects become fields; an Error (as in `logger.warn('retrying', err)`) gives `error` and `stack`, which JSON
 * would otherwise print as {}; anything else Nest would print as an extra message goes under `params`.
 */
function fieldsOf(params: readonly unknown[]): Record<string, unknown> {
  const error = params.find((param) => param instanceof Error);
  const objects = params.filter(isPlainObject);
  const others = params.filter((param) => param !== undefined && param !== error && !isPlainObject(param));
  const errorFields = error ? { error: error.message, stack: error.stack } : {};
  return Object.assign(errorFields, ...objects, others.length > 0 ? { params: others } : {});
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isStackTrace(value: unknown): value is string {
  return typeof value === 'string' && /\n[ \t]+at .+:\d+:\d+/.test(value);
}

function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  try {
    return JSON.stringify(message) ?? String(message);
  } catch {
    return String(message);
  }
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
