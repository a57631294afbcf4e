import { AppLogger } from './app-logger.service';
import { createWinstonLogger } from './create-winston-logger';
import { captureStream } from './log-capture.spec-kit';

const STACK = 'Error: boom\n    at handler (/app/dist/x.js:10:5)';

function jsonLogger(logLevel: 'error' | 'warn' | 'info' | 'debug' = 'debug') {
  const out = captureStream();
  const logger = new AppLogger(createWinstonLogger({ logLevel, logFormat: 'json' }, { stream: out.stream }));
  const entries = () => out.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, entries };
}

describe('AppLogger', () => {
  it('maps Nest levels to winston levels', () => {
    const { logger, entries } = jsonLogger();

    logger.log('a');
    logger.verbose('b');
    logger.debug('c');
    logger.warn('d');
    logger.error('e');
    logger.fatal('f');

    expect(entries().map(({ level, message }) => `${level}:${message}`)).toEqual(['info:a', 'debug:b', 'debug:c', 'warn:d', 'error:e', 'error:f']);
    expect(entries()[5]).toMatchObject({ fatal: true });
  });

  it('takes a trailing string as the context, as Nest does', () => {
    const { logger, entries } = jsonLogger();

    logger.log('Mapped {/graphql, POST} route', 'RouterExplorer');
    logger.log('no context');

    expect(entries()[0]).toMatchObject({ message: 'Mapped {/graphql, POST} route', context: 'RouterExplorer' });
    expect(entries()[1]).not.toHaveProperty('context');
  });

  it('reads error(message, stack?, context?) the way Nest calls it', () => {
    const { logger, entries } = jsonLogger();

    logger.error('with stack and context', STACK, 'ExceptionHandler');
    logger.error('stack only', STACK);
    logger.error('context only', 'Bootstrap');
    logger.error('from a Logger with a context', undefined, 'Shoes');

    expect(entries()).toEqual([
      expect.objectContaining({ message: 'with stack and context', stack: STACK, context: 'ExceptionHandler' }),
      expect.objectContaining({ message: 'stack only', stack: STACK }),
      expect.objectContaining({ message: 'context only', context: 'Bootstrap' }),
      expect.objectContaining({ message: 'from a Logger with a context', context: 'Shoes' }),
    ]);
    expect(entries()[1]).not.toHaveProperty('context');
    expect(entries()[2]).not.toHaveProperty('stack');
  });

  it('logs an Error message with its stack', () => {
    const { logger, entries } = jsonLogger();

    logger.error(new Error('kaput'));

    expect(entries()[0]).toMatchObject({ message: 'kaput', stack: expect.stringContaining('Error: kaput') });
  });

  it('writes plain-object parameters as fields', () => {
    const { logger, entries } = jsonLogger();

    logger.warn('retrying', { attempt: 2 }, 'EventStore');

    expect(entries()[0]).toMatchObject({ message: 'retrying', attempt: 2, context: 'EventStore' });
  });

  it('writes an Error parameter as error and stack fields', () => {
    const { logger, entries } = jsonLogger();
    const cause = new Error('socket hang up');

    logger.warn('retrying', cause, 'EventStore');

    expect(entries()[0]).toMatchObject({ message: 'retrying', context: 'EventStore', error: 'socket hang up', stack: cause.stack });
  });

  it('binds a context with child(), which an explicit context still overrides', () => {
    const { logger, entries } = jsonLogger();
    const shoes = logger.child('Shoes');

    shoes.log('bound');
    shoes.log('explicit', 'Other');
    shoes.info('structured', { shoeId: 's1' });

    expect(entries()).toEqual([
      expect.objectContaining({ message: 'bound', context: 'Shoes' }),
      expect.objectContaining({ message: 'explicit', context: 'Other' }),
      expect.objectContaining({ level: 'info', message: 'structured', context: 'Shoes', shoeId: 's1' }),
    ]);
  });

  it('drops lines below the configured level', () => {
    const { logger, entries } = jsonLogger('warn');

    logger.debug('hidden');
    logger.verbose('hidden');
    logger.log('hidden');
    logger.warn('shown');

    expect(entries().map((entry) => entry.message)).toEqual(['shown']);
  });
});
