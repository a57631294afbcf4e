import { createWinstonLogger } from './create-winston-logger';
import { captureStream, withoutColours } from './log-capture.spec-kit';

describe('createWinstonLogger', () => {
  it('writes json lines: timestamp, level, message, context first, then the fields', () => {
    const out = captureStream();
    const logger = createWinstonLogger({ logLevel: 'info', logFormat: 'json' }, { stream: out.stream });

    logger.info('shoe created', { context: 'Shoes', shoeId: 'abc', count: 2 });

    const [line] = out.lines();
    const entry = JSON.parse(line);
    expect(Object.keys(entry)).toEqual(['timestamp', 'level', 'message', 'context', 'shoeId', 'count']);
    expect(entry).toMatchObject({ level: 'info', message: 'shoe created', context: 'Shoes', shoeId: 'abc', count: 2 });
    expect(new Date(entry.timestamp).toISOString()).toBe(entry.timestamp);
  });

  it('writes one pretty line: time, level, [context], message, key=value fields', () => {
    const out = captureStream();
    const logger = createWinstonLogger({ logLevel: 'info', logFormat: 'pretty' }, { stream: out.stream });

    logger.warn('slow query', { context: 'Database', ms: 120, sql: 'select 1' });

    expect(out.lines()).toHaveLength(1);
    expect(withoutColours(out.lines()[0])).toMatch(/^\d\d:\d\d:\d\d\.\d{3} warn {2}\[Database\] slow query ms=120 sql="select 1"$/);
  });

  it('colours the level when asked to, and not by default when writing to a stream', () => {
    const coloured = captureStream();
    const plain = captureStream();

    createWinstonLogger({ logLevel: 'info', logFormat: 'pretty' }, { stream: coloured.stream, colours: true }).info('hi');
    createWinstonLogger({ logLevel: 'info', logFormat: 'pretty' }, { stream: plain.stream }).info('hi');

    expect(coloured.lines()[0]).toContain('\u001b[');
    expect(withoutColours(coloured.lines()[0])).toMatch(/ info {2}hi$/);
    expect(plain.lines()[0]).not.toContain('\u001b[');
  });

  it('puts a stack trace on the lines after a pretty entry', () => {
    const out = captureStream();
    const logger = createWinstonLogger({ logLevel: 'info', logFormat: 'pretty' }, { stream: out.stream });

    logger.error('boom', { stack: 'Error: boom\n    at here (file.ts:1:1)' });

    expect(out.lines().map(withoutColours)).toEqual([expect.stringMatching(/ error +boom$/), 'Error: boom', '    at here (file.ts:1:1)']);
  });

  it.each([
    ['error', ['error']],
    ['warn', ['error', 'warn']],
    ['info', ['error', 'warn', 'info']],
    ['debug', ['error', 'warn', 'info', 'debug']],
  ] as const)('at level %s writes %j', (logLevel, written) => {
    const out = captureStream();
    const logger = createWinstonLogger({ logLevel, logFormat: 'json' }, { stream: out.stream });

    for (const level of ['error', 'warn', 'info', 'debug']) logger.log(level, `a ${level} line`);

    expect(out.lines().map((line) => JSON.parse(line).level)).toEqual(written);
  });
});

describe('createWinstonLogger on stdout', () => {
  /** process.stdout.write recorded instead of written; `write.mockRestore()` ends it. */
  function captureStdout() {
    const writes: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    return { writes, write };
  }

  it('writes the lines of one event-loop turn to stdout together, in order', async () => {
    const { writes, write } = captureStdout();
    try {
      const logger = createWinstonLogger({ logLevel: 'info', logFormat: 'json' });
      logger.info('first', { n: 1 });
      logger.info('second', { n: 2 });
      logger.debug('filtered out');
      expect(writes).toEqual([]); // nothing yet: one write at the end of the turn
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toHaveLength(1);
      expect(writes[0].trimEnd().split('\n').map((line) => JSON.parse(line).message)).toEqual(['first', 'second']);
    } finally {
      write.mockRestore();
    }
  });

  it('serializes what JSON.stringify refuses (BigInt, cycles) instead of losing the line', async () => {
    const { writes, write } = captureStdout();
    try {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;
      createWinstonLogger({ logLevel: 'info', logFormat: 'json' }).info('odd fields', { big: 10n, cyclic });
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(JSON.parse(writes.join(''))).toMatchObject({ message: 'odd fields', big: '10', cyclic: { name: 'loop', self: '[Circular]' } });
    } finally {
      write.mockRestore();
    }
  });
});
