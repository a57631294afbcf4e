import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { LegacyStarts, paced } from './legacy-operations';
import { MAX_BUFFERED_BYTES } from './shared-subscription-results';

const message = (value: object) => Buffer.from(JSON.stringify(value));

describe('LegacyStarts', () => {
  it('given a stop that arrived before onOperation took its start, then the start is taken as stopped', () => {
    const starts = new LegacyStarts();
    starts.seen(message({ id: '1', type: 'start', payload: {} }));
    starts.seen(message({ id: '1', type: 'stop' }));
    expect(starts.take('1').stopped).toBe(true);
  });

  it('given a stop while the subscription is being set up, then its start is marked; once settled, a stop is not its', () => {
    const starts = new LegacyStarts();
    starts.seen(message({ id: '1', type: 'start' }));
    const first = starts.take('1');
    starts.seen(message({ id: '1', type: 'stop' }));
    expect(first.stopped).toBe(true);

    starts.seen(message({ id: '1', type: 'start' }));
    const second = starts.take('1');
    starts.settle('1', second);
    starts.seen(message({ id: '1', type: 'stop' }));
    expect(second.stopped).toBe(false); // the library ends a subscription that exists
  });

  it('given start, stop, start of one id, then onOperation takes them in order: the first stopped, the second not', () => {
    const starts = new LegacyStarts();
    starts.seen(message({ id: 'a', type: 'start' }));
    starts.seen(message({ id: 'a', type: 'stop' }));
    starts.seen(message({ id: 'a', type: 'start' }));
    expect(starts.take('a').stopped).toBe(true);
    expect(starts.take('a').stopped).toBe(false);
  });

  it('given the oldest dialect and malformed messages, then it notes the dialect and ignores the rest', () => {
    const starts = new LegacyStarts();
    expect(starts.seen('not json')).toBeUndefined();
    expect(starts.seen('null')).toBeUndefined();
    expect(starts.seen(message({ type: 'init' }))).toBe('init');
    starts.seen(message({ id: 'x', type: 'subscription_start' }));
    starts.seen(message({ id: 'x', type: 'subscription_end' }));
    expect(starts.oldest).toBe(true);
    expect(starts.take('x').stopped).toBe(true);
  });
});

describe('paced', () => {
  function congestedTcp() {
    const tcp = Object.assign(new EventEmitter(), { writableLength: MAX_BUFFERED_BYTES, writableNeedDrain: true, destroyed: false });
    return tcp as unknown as Socket & typeof tcp;
  }
  function counting(): AsyncIterableIterator<number> & { asked: number } {
    const source = {
      asked: 0,
      next: async () => ({ done: false as const, value: ++source.asked }),
      [Symbol.asyncIterator]() {
        return source;
      },
    };
    return source;
  }

  it('given a congested socket, then the first item is not held back, the next is asked for only after drain', async () => {
    const tcp = congestedTcp();
    const source = counting();
    const items = paced(source, tcp);
    expect(await items.next()).toEqual({ done: false, value: 1 });
    const second = items.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.asked).toBe(1);

    tcp.writableLength = 0;
    tcp.emit('drain');
    expect(await second).toEqual({ done: false, value: 2 });
  });

  it('given a socket that is not congested, then items flow', async () => {
    const tcp = congestedTcp();
    tcp.writableNeedDrain = false;
    const items = paced(counting(), tcp);
    await items.next();
    expect(await items.next()).toEqual({ done: false, value: 2 });
  });
});

describe('paced, many subscriptions on one socket', () => {
  it('given 20 waiting on one congested socket, then they share one drain listener', async () => {
    const tcp = Object.assign(new EventEmitter(), { writableLength: MAX_BUFFERED_BYTES, writableNeedDrain: true, destroyed: false });
    const source = () => ({
      next: async () => ({ done: false as const, value: 1 }),
      [Symbol.asyncIterator]() {
        return this;
      },
    });
    const all = Array.from({ length: 20 }, () => paced(source(), tcp as unknown as Socket));
    await Promise.all(all.map((items) => items.next()));
    const waiting = all.map((items) => items.next());
    expect(tcp.listenerCount('drain')).toBe(1);
    tcp.writableLength = 0;
    tcp.emit('drain');
    await Promise.all(waiting);
    expect(tcp.listenerCount('drain')).toBe(0);
  });
});
