import { Writable } from 'node:stream';
import winston from 'winston';
import type { AppSettings } from '../config/app-settings';

export type WinstonLoggerSettings = Pick<AppSettings, 'logLevel' | 'logFormat'>;

export interface WinstonLoggerOptions {
  /** Where lines go instead of stdout; for tests and for embedding the logger elsewhere. */
  stream?: NodeJS.WritableStream;
  /** Colour the level in `pretty` lines. Default: only when writing to a terminal and NO_COLOR is unset. */
  colours?: boolean;
}

type Info = winston.Logform.TransformableInfo;

/**
 * The process's only winston logger. `json`: one object per line (timestamp, level, message, context, then any
 * structured fields) for log collectors; `pretty`: one coloured line per entry, for people at a terminal.
 */
export function createWinstonLogger(settings: WinstonLoggerSettings, options: WinstonLoggerOptions = {}): winston.Logger {
  return winston.createLogger({
    level: settings.logLevel,
    levels: winston.config.npm.levels,
    format: settings.logFormat === 'json' ? jsonFormat() : prettyFormat(options.colours ?? coloursByDefault(options)),
    // Everything to stdout: one ordered stream is what container log collectors and `| less` expect.
    transports: [options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Stream({ stream: stdoutByTurn() })],
  });
}

/** winston's own key for the formatted line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

function jsonFormat(): winston.Logform.Format {
  return winston.format.combine(winston.format.timestamp(), jsonLine());
}

/**
 * One JSON object per line, timestamp, level, message and context first so lines scan the same way (winston's own
 * order varies), then the fields in insertion order. Not winston's `json` format: it builds a new serializer for
 * every line (safe-stable-stringify's `configure`), a cost paid on every request's log line; plain JSON.stringify
 * is used instead, and the safe form only for what it refuses (BigInt, cycles).
 */
const jsonLine = winston.format((info: Info) => {
  const { timestamp, level, message, context, ...fields } = info;
  const entry = Object.assign({ timestamp, level, message }, context === undefined ? {} : { context }, fields);
  (info as unknown as Record<symbol, string>)[MESSAGE] = stringifyEntry(entry);
  return info;
});

function stringifyEntry(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry);
  } catch {
    const seen = new WeakSet<object>();
    return JSON.stringify(entry, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'object' && value !== null) {
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
      }
      return value;
    });
  }
}

/**
 * stdout, with the lines of one event-loop turn written together: winston's Console transport makes one write (a
 * system call, synchronous on pipes and files) per line, which under load is one more system call per request.
 * Lines keep their order; whatever is still pending when the process exits is written then (a kill -9 can lose at
 * most the last turn's lines). One buffer for the process, shared by every logger, so their lines stay in order.
 */
function stdoutByTurn(): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pendingStdout += String(chunk);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushStdout);
      }
      done();
    },
  });
}

let pendingStdout = '';
let flushScheduled = false;
process.once('exit', () => flushStdout());

function flushStdout(): void {
  flushScheduled = false;
  if (!pendingStdout) return;
  const text = pendingStdout;
  pendingStdout = '';
  process.stdout.write(text);
}

// Escape codes in a file or a pipe are noise; https://no-color.org asks for none when NO_COLOR is set.
function coloursByDefault(options: WinstonLoggerOptions): boolean {
  return options.stream === undefined && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
}

const colorizer = winston.format.colorize();

function prettyFormat(colours: boolean): winston.Logform.Format {
  return winston.format.combine(
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format.printf((info) => prettyLine(info, colours)),
  );
}

/** `12:00:00.123 info  [Context] message key=value ...`; a stack trace, when there is one, follows on its own lines. */
function prettyLine(info: Info, colours: boolean): string {
  const { timestamp, level, message, context, stack, ...fields } = info;
  const paddedLevel = colours ? colorizer.colorize(level, level.padEnd(5)) : level.padEnd(5);
  const head = [String(timestamp), paddedLevel, context === undefined ? '' : `[${String(context)}]`, String(message)];
  const line = [...head.filter((part) => part !== ''), ...Object.entries(fields).map(renderField)].join(' ');
  return typeof stack === 'string' ? `${line}\n${stack}` : line;
}

function renderField([key, value]: [string, unknown]): string {
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) return `${key}=${value}`;
  return `${key}=${safeJson(value)}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular structures and BigInts: still print something rather than lose the line.
    return String(value);
  }
}
