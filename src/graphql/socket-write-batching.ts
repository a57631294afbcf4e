import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const BATCHED = Symbol('socketWritesBatched');

/**
 * Every WebSocket message used to be its own write to the kernel (a `writev` per frame): an event for 100
 * subscriptions on one socket cost 100 system calls, the largest item of the live benchmark's profile. Here the
 * first send of a turn of the event loop corks the TCP socket and the check phase of that turn (setImmediate)
 * uncorks it, so all the frames a fan-out hands this socket in one turn leave in one write.
 *
 * Why setImmediate and not process.nextTick: a frame's send callback (which graphql-ws awaits before it takes the
 * subscription's next event) runs once its write is done. Uncorked on nextTick, writes complete within the same
 * turn, so a backlog of events for 1,000 subscribers drains in one unbroken run of ticks and microtasks while
 * HTTP requests and database replies wait (mutations took seconds under L). Uncorked on setImmediate, each round of
 * frames is one turn and the event loop serves I/O in between. Ordering, back-pressure and callbacks are unchanged:
 * cork only holds data inside the stream.
 *
 * `tcp` is the socket under `ws` (the upgrade request's socket); calling this twice on one socket is harmless.
 */
export function batchSocketWrites(ws: WebSocket, tcp: Socket | undefined): void {
  if (!tcp || (ws as WebSocket & { [BATCHED]?: true })[BATCHED]) return;
  (ws as WebSocket & { [BATCHED]?: true })[BATCHED] = true;
  const send = ws.send;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  ws.send = function batchedSend(this: WebSocket, ...args: Parameters<WebSocket['send']>) {
    if (!corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      setImmediate(uncork);
    }
    return send.apply(this, args);
  } as WebSocket['send'];
}
