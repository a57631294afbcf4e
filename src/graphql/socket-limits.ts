import { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, mapped } from './async-iterators';
import { SOCKET_TARGET, SocketTarget } from './shared-subscription-results';

/** graphql-ws's close code for a socket that sent no connection_init in time; the legacy protocol uses it too. */
export const INIT_TIMEOUT_CLOSE_CODE = 4408;
/** A socket over the per-address limit: accepted, then closed at once with this code (HTTP's 429, as 4403 is 403). */
export const TOO_MANY_SOCKETS_CLOSE_CODE = 4429;
export const TOO_MANY_SOCKETS_REASON = 'Too many sockets from this address';

/**
 * Open sockets per client address, both protocols together. Counted from the upgrade until the TCP socket
 * closes. The address is the TCP peer's: behind a proxy every client shares the proxy's address (the limit must
 * then be raised or turned off with 0, and enforced at the proxy).
 */
export class SocketsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts the socket and returns true, or returns false (and counts nothing) when its address is at the limit. */
  admit(address: string | undefined, onClose: (release: () => void) => void): boolean {
    if (this.max === 0) return true;
    const key = address ?? '';
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return false;
    this.open.set(key, count + 1);
    let released = false;
    onClose(() => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    });
    return true;
  }

  /** Open sockets of `address` (for tests). */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * A `subscribe` (graphql-ws's and subscriptions-transport-ws's option) that lets one socket run at most `max`
 * subscriptions at once (0: no limit). One over the limit is answered with a result carrying RATE_LIMITED
 * (`extensions.limit: 'subscriptionsPerSocket'`, `extensions.max`) and ends: the socket and its other subscriptions
 * stay. RATE_LIMITED rather than QUERY_TOO_COMPLEX: the operation itself is fine, and the same one succeeds once
 * the client stops another. Subscriptions without a socket (SOCKET_TARGET) are not counted.
 */
export function limitSubscriptionsPerSocket(subscribe: Subscribe, max: number): Subscribe {
  const running = new WeakMap<object, number>();
  return async (args) => {
    const socket = (args.contextValue as { [SOCKET_TARGET]?: SocketTarget } | undefined)?.[SOCKET_TARGET]?.socket;
    if (!socket || max === 0) return subscribe(args);
    const count = running.get(socket) ?? 0;
    if (count >= max) return { errors: [tooManySubscriptions(max)] };
    // Counted before the (asynchronous) subscribe, so subscriptions started together cannot all slip under the limit.
    running.set(socket, count + 1);
    const release = () => running.set(socket, (running.get(socket) ?? 1) - 1);
    let result: Awaited<ReturnType<Subscribe>>;
    try {
      result = await subscribe(args);
    } catch (error) {
      release();
      throw error;
    }
    if (!isAsyncIterable<ExecutionResult>(result)) {
      release();
      return result;
    }
    return mapped(result, (item) => item as ExecutionResult, release); // release once, however the stream ends
  };
}

function tooManySubscriptions(max: number): GraphQLError {
  return new GraphQLError(`Too many subscriptions on this socket (at most ${max}); stop one first`, {
    extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerSocket', max },
  });
}
