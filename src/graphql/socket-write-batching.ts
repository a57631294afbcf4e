import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { textFrameHeaderLength, writeTextFrameHeader } from './websocket-frames';

const BATCHED = Symbol('socketWritesBatched');

/** Pending direct frames above this many bytes are written at once: back-pressure (isCongested) only sees written bytes. */
const FLUSH_BYTES = 64 * 1024;

type Batched = WebSocket & { [BATCHED]?: SocketFrames };

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
 * It also gives the socket its SocketFrames (socketFrames below), for the fan-out's direct writes beneath `ws`.
 *
 * `tcp` is the socket under `ws` (the upgrade request's socket); calling this twice on one socket is harmless.
 */
export function batchSocketWrites(ws: WebSocket, tcp: Socket | undefined): void {
  if (!tcp || (ws as Batched)[BATCHED]) return;
  const frames = new SocketFrames(ws, tcp);
  (ws as Batched)[BATCHED] = frames;
  const send = ws.send;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  ws.send = function batchedSend(this: WebSocket, ...args: Parameters<WebSocket['send']>) {
    frames.flush(); // the direct frames queued before this message go before it
    if (!corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      setImmediate(uncork);
    }
    return send.apply(this, args);
  } as WebSocket['send'];
  // Whatever else `ws` writes (pings, pongs, the close frame) also goes after the direct frames queued before it.
  for (const method of ['ping', 'pong', 'close'] as const) {
    const original = ws[method] as (...args: unknown[]) => void;
    (ws as unknown as Record<string, unknown>)[method] = function flushedFirst(this: WebSocket, ...args: unknown[]) {
      frames.flush();
      return original.apply(this, args);
    };
  }
  // The peer's FIN: `ws` ends the socket at once (socketOnEnd); frames accepted while it was open go first.
  tcp.prependListener('end', frames.flush);
}

/** The direct-write batch of a socket that went through batchSocketWrites (undefined for any other). */
export function socketFrames(ws: WebSocket): SocketFrames | undefined {
  return (ws as Batched)[BATCHED];
}

/**
 * Sends a text message of `prefix` + `shared`: beneath `ws` in the socket's batch where SocketFrames allows it, else
 * through ws.send (a Buffer sent as text is the very frame ws.send(string) makes, compressed if negotiated).
 * `frames`: the socket's, when the caller looked them up once for many sends.
 */
export function sendText(ws: WebSocket, prefix: Buffer, shared: Buffer, frames: SocketFrames | undefined = socketFrames(ws)): void {
  if (frames?.add(prefix, shared)) return;
  ws.send(Buffer.concat([prefix, shared]), { binary: false });
}

/**
 * Text frames written beneath `ws`, the fan-out's `next`/`data` messages: per socket and turn of the event loop,
 * they are collected and written to the TCP socket as ONE buffer (at the check phase, like the cork above), each
 * frame's payload given as a per-subscription prefix and a part shared by every subscriber of an event (bytes made
 * once per event). Through ws.send each frame cost a header buffer, a write request and its share of a `writev`.
 *
 * It writes exactly what `ws` would, and so is used only while that holds; `add` refuses otherwise and the caller
 * sends through `ws`:
 *   - the socket negotiated no extension (no permessage-deflate: `ws` would compress and set RSV1);
 *   - it is OPEN (`ws` drops a send otherwise);
 *   - `ws`'s Sender queues nothing (it holds messages back only while compressing or reading a Blob): its
 *     bufferedAmount is then exactly the TCP socket's writableLength.
 * These are checked by the first `add` of a batch only. Until the batch is written nothing of them can change
 * without a flush first: `ws` changes its state or writes only through send/ping/pong/close (wrapped above: each
 * flushes), and the peer's FIN flushes too; the next `add` then starts a batch and checks again. A socket that is
 * destroyed meanwhile (an error, terminate()) loses the batch at flush, as `ws`'s own writes would be lost.
 * Order with what `ws` writes itself (graphql-ws's `complete` and errors, pings, pongs, close) is kept by writing
 * the batch first, synchronously, whenever one of those is sent (the wrappers above). Direct frames have no
 * callback, as the direct writes through ws.send had none; back-pressure stays the TCP socket's (writableLength
 * counts a batch once written: a batch is written early past FLUSH_BYTES).
 *
 * The batch is assembled at flush in one buffer that every socket shares (`scratch`), not a new one per batch:
 * when the kernel takes the whole write at once (the socket's writableLength is 0 right after it), nothing refers
 * to those bytes any more and the next batch reuses them; when the stream keeps the buffer (corked by a ws.send of
 * this turn, or the kernel took only part), it is the stream's, and a new scratch is made. An allocation per
 * socket and turn (~6 µs each, and garbage) cost as much as 400 frames' copying in a micro-benchmark.
 */
export class SocketFrames {
  private readonly compressed: boolean;
  /**
   * Pairs: a frame's prefix, then its shared part; the first `count` are this batch's. Reused from batch to batch
   * (a new array per batch, grown by push, was ~7% of the direct path's CPU in a micro-benchmark): the slots past `count`
   * keep older batches' buffers alive until overwritten, at most one batch's worth (FLUSH_BYTES of frames).
   */
  private readonly chunks: Buffer[] = [];
  private count = 0;
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly tcp: Socket,
  ) {
    // Extensions are settled by the handshake, before the socket is handed out.
    this.compressed = ws.extensions !== '';
  }

  /** Queues a text frame with payload `prefix` + `shared` (neither may change afterwards); false: send it through `ws`. */
  add(prefix: Buffer, shared: Buffer): boolean {
    if (this.bytes === 0 && !this.writable()) return false;
    const length = prefix.length + shared.length;
    const { chunks, count } = this;
    if (count === chunks.length) chunks.push(prefix, shared);
    else {
      chunks[count] = prefix;
      chunks[count + 1] = shared;
    }
    this.count = count + 2;
    this.bytes += textFrameHeaderLength(length) + length;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  /** Writes the queued frames as one buffer (nothing if the socket is gone: neither would `ws`'s writes arrive). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.bytes === 0) return;
    const { chunks, count, bytes, tcp } = this;
    this.count = 0;
    this.bytes = 0;
    if (tcp.destroyed || tcp.writableEnded) return;
    const out = bytes <= scratch.length ? scratch : Buffer.allocUnsafeSlow(bytes);
    let at = 0;
    for (let i = 0; i < count; i += 2) {
      const prefix = chunks[i];
      const shared = chunks[i + 1];
      at = writeTextFrameHeader(out, at, prefix.length + shared.length);
      out.set(prefix, at);
      at += prefix.length;
      out.set(shared, at);
      at += shared.length;
    }
    tcp.write(out === scratch ? out.subarray(0, bytes) : out);
    // Still counted as unsent: the stream (or the kernel's pending write) holds `out`; it is no longer ours to reuse.
    if (out === scratch && tcp.writableLength !== 0) scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  };

  /** Whether `ws` would write the very bytes of a direct frame now (see the class comment). */
  private writable(): boolean {
    const { ws, tcp } = this;
    return !this.compressed && ws.readyState === ws.OPEN && !tcp.destroyed && ws.bufferedAmount === tcp.writableLength;
  }
}

/**
 * Where batches are assembled (see SocketFrames): a batch is written once it reaches FLUSH_BYTES, so one whose last
 * frame is at most FLUSH_BYTES fits; a larger one gets a buffer of its own. One for the process: flushes run one
 * after another and tcp.write calls back into nothing synchronously (errors and 'drain' come on later ticks).
 */
const SCRATCH_BYTES = 2 * FLUSH_BYTES;
let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
