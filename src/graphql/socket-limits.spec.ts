import { ExecutionArgs, ExecutionResult } from 'graphql';
import { SOCKET_TARGET } from './shared-subscription-results';
import { limitSubscriptionsPerSocket, SocketsPerAddress } from './socket-limits';

describe('SocketsPerAddress', () => {
  it('given an address at its limit, then one more is refused until one of its sockets closes; other addresses are apart', () => {
    const limit = new SocketsPerAddress(2);
    const releases: (() => void)[] = [];
    const onClose = (release: () => void) => releases.push(release);
    expect(limit.admit('10.0.0.1', onClose)).toBe(true);
    expect(limit.admit('10.0.0.1', onClose)).toBe(true);
    expect(limit.admit('10.0.0.1', onClose)).toBe(false);
    expect(limit.admit('10.0.0.2', onClose)).toBe(true);

    releases[0]();
    releases[0](); // a second close of the same socket counts once
    expect(limit.count('10.0.0.1')).toBe(1);
    expect(limit.admit('10.0.0.1', onClose)).toBe(true);
  });

  it('given 0, then the limit is off', () => {
    const limit = new SocketsPerAddress(0);
    for (let i = 0; i < 100; i++) expect(limit.admit('10.0.0.1', () => undefined)).toBe(true);
  });
});

describe('limitSubscriptionsPerSocket', () => {
  const socket = {};
  const argsOn = (target: object | undefined) => ({ contextValue: target ? { [SOCKET_TARGET]: { socket: target } } : {} }) as unknown as ExecutionArgs;
  function endless(): AsyncIterableIterator<ExecutionResult> {
    return {
      next: () => new Promise(() => undefined),
      return: async () => ({ done: true, value: undefined }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  it('given a socket at its limit, then one more gets RATE_LIMITED, and there is room again once one is returned', async () => {
    const subscribe = limitSubscriptionsPerSocket(async () => endless(), 2);
    const first = (await subscribe(argsOn(socket))) as AsyncIterableIterator<ExecutionResult>;
    await subscribe(argsOn(socket));
    const over = (await subscribe(argsOn(socket))) as ExecutionResult;
    expect(over.errors?.[0].extensions).toEqual({ code: 'RATE_LIMITED', limit: 'subscriptionsPerSocket', max: 2 });
    // Another socket has its own count.
    expect(Symbol.asyncIterator in (await subscribe(argsOn({})))).toBe(true);

    await first.return?.();
    expect(Symbol.asyncIterator in (await subscribe(argsOn(socket)))).toBe(true);
  });

  it('given subscriptions started together, then they cannot all slip under the limit', async () => {
    const subscribe = limitSubscriptionsPerSocket(async () => endless(), 2);
    const results = await Promise.all([1, 2, 3, 4].map(() => subscribe(argsOn(socket))));
    expect(results.filter((r) => 'errors' in r)).toHaveLength(2);
  });

  it('given a subscribe that answers with a result (no stream) or throws, then it takes no room', async () => {
    let fail = false;
    const subscribe = limitSubscriptionsPerSocket(async () => {
      if (fail) throw new Error('boom');
      return { errors: [] };
    }, 1);
    await subscribe(argsOn(socket));
    fail = true;
    await expect(subscribe(argsOn(socket))).rejects.toThrow('boom');
    fail = false;
    expect(await subscribe(argsOn(socket))).toEqual({ errors: [] });
  });
});
