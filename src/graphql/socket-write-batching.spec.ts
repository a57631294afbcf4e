import type { AddressInfo, Socket } from 'node:net';
import * as wsModule from 'ws';
import { ClientOptions, ServerOptions, WebSocket, WebSocketServer } from 'ws';
import { batchSocketWrites, SocketFrames, socketFrames, sendText } from './socket-write-batching';

/** A TCP socket that only counts cork()/uncork(), and a WebSocket whose send() records what it was given. */
function fakes() {
  const tcp = {
    corked: 0,
    uncorks: 0,
    destroyed: false,
    prependListener: () => undefined,
    cork: () => void (tcp.corked += 1),
    uncork: () => {
      tcp.corked -= 1;
      tcp.uncorks += 1;
    },
  };
  const sent: string[] = [];
  const ws = { send: (data: string, cb?: () => void) => (sent.push(data), cb?.()) };
  return { tcp: tcp as unknown as Socket & typeof tcp, ws: ws as unknown as WebSocket, sent };
}
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('batchSocketWrites', () => {
  it('given several sends in one turn, then the socket is corked once and uncorked after the turn, every frame in order', async () => {
    const { tcp, ws, sent } = fakes();
    batchSocketWrites(ws, tcp);
    const done = jest.fn();
    ws.send('a');
    await Promise.resolve();
    ws.send('b', done);
    ws.send('c');
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(done).toHaveBeenCalledTimes(1);
    expect(tcp.corked).toBe(1);

    await nextTurn();
    expect(tcp.corked).toBe(0);
    expect(tcp.uncorks).toBe(1);
  });

  it('given sends in separate turns, then each turn is one batch', async () => {
    const { tcp, ws } = fakes();
    batchSocketWrites(ws, tcp);
    ws.send('a');
    await nextTurn();
    ws.send('b');
    await nextTurn();
    expect(tcp.uncorks).toBe(2);
    expect(tcp.corked).toBe(0);
  });

  it('given it is applied twice, or to a destroyed socket, then nothing is corked twice or at all', async () => {
    const { tcp, ws } = fakes();
    batchSocketWrites(ws, tcp);
    batchSocketWrites(ws, tcp);
    ws.send('a');
    expect(tcp.corked).toBe(1);
    await nextTurn();
    tcp.destroyed = true;
    ws.send('b');
    expect(tcp.corked).toBe(0);
  });
});

/**
 * A real `ws` server and client on 127.0.0.1: the server side batched as the servers do it, the client recording
 * every message as text, in arrival order, and whether it came as text.
 */
const openPairs: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(openPairs.splice(0).map((stop) => stop()));
});

async function socketPair(serverOptions: ServerOptions = {}, clientOptions: ClientOptions = {}) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOptions });
  openPairs.push(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const accepted = new Promise<{ ws: WebSocket; tcp: Socket }>((resolve) =>
    server.once('connection', (ws, req) => {
      batchSocketWrites(ws, req.socket);
      resolve({ ws, tcp: req.socket });
    }),
  );
  await new Promise((resolve) => server.once('listening', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, clientOptions);
  openPairs.push(async () => client.terminate());
  const received: string[] = [];
  const allText: boolean[] = [];
  client.on('message', (data, isBinary) => {
    received.push(String(data));
    allText.push(!isBinary);
  });
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  await new Promise((resolve) => client.once('open', resolve));
  const { ws, tcp } = await accepted;
  // `bytes`: a copy of each write as it was made (a batch's buffer may be reused once the kernel has it).
  const writes = { count: 0, bytes: [] as Buffer[] };
  const write = tcp.write.bind(tcp) as (...args: unknown[]) => boolean;
  tcp.write = ((...args: unknown[]) => {
    writes.count += 1;
    if (Buffer.isBuffer(args[0])) writes.bytes.push(Buffer.from(args[0]));
    return write(...args);
  }) as Socket['write'];
  const until = async (count: number) => {
    for (const deadline = Date.now() + 3_000; received.length < count; await new Promise((resolve) => setTimeout(resolve, 5))) {
      if (Date.now() > deadline) throw new Error(`received ${JSON.stringify(received)}, expected ${count} messages`);
    }
  };
  return {
    ws,
    tcp,
    client,
    received,
    allText,
    writes,
    until,
    closed,
    frames: socketFrames(ws) as SocketFrames,
  };
}

describe('SocketFrames, on a real socket', () => {
  const bytes = (text: string) => Buffer.from(text);

  it('given frames of every length class added in one turn, then the client reads each message, in order, from one write', async () => {
    const pair = await socketPair();
    const shared = [bytes(''), bytes('x'.repeat(120)), bytes('é'.repeat(200)), bytes('y'.repeat(65_536))];
    const expected: string[] = [];
    for (const [i, part] of shared.entries()) {
      expect(pair.frames.add(bytes(`{"id":"${i}",`), part)).toBe(true);
      expected.push(`{"id":"${i}",${String(part)}`);
    }
    expect(pair.writes.count).toBe(1); // past FLUSH_BYTES: written at once, not at the end of the turn
    expect(pair.frames.add(bytes('last'), bytes('👟'))).toBe(true);
    expected.push('last👟');
    expect(pair.writes.count).toBe(1);
    await pair.until(expected.length);
    expect(pair.received).toEqual(expected);
    expect(pair.allText.every(Boolean)).toBe(true);
    expect(pair.writes.count).toBe(2);
  });

  it('given messages ws sends itself between direct frames, then the client reads them all in the order they were given', async () => {
    const pair = await socketPair();
    pair.frames.add(bytes('a'), bytes('1'));
    pair.frames.add(bytes('b'), bytes('2'));
    pair.ws.send('c');
    pair.frames.add(bytes('d'), bytes('3'));
    pair.ws.ping();
    pair.frames.add(bytes('e'), bytes('4'));
    pair.ws.close(1000, 'done');
    await expect(pair.closed).resolves.toBe(1000);
    expect(pair.received).toEqual(['a1', 'b2', 'c', 'd3', 'e4']);
  });

  it('given a socket that is no longer open, then frames are refused (the caller sends through ws, which drops them)', async () => {
    const pair = await socketPair();
    pair.ws.close(1000);
    expect(pair.frames.add(bytes('a'), bytes('1'))).toBe(false);
    await pair.closed;
    expect(pair.received).toEqual([]);
  });

  it('given a client that negotiated permessage-deflate, then frames are refused and sendText sends them through ws as text, in order', async () => {
    const pair = await socketPair({ perMessageDeflate: { threshold: 0 } }, { perMessageDeflate: true });
    expect(pair.ws.extensions).toContain('permessage-deflate');
    expect(pair.frames.add(bytes('a'), bytes('1'))).toBe(false);
    sendText(pair.ws, bytes('b'), bytes('é'.repeat(300)));
    pair.ws.send('c');
    sendText(pair.ws, bytes('d'), bytes('4'));
    await pair.until(3);
    expect(pair.received).toEqual([`b${'é'.repeat(300)}`, 'c', 'd4']);
    expect(pair.allText.every(Boolean)).toBe(true);
  });

  it('given an open socket without extensions, then sendText goes beneath ws, one write for the turn', async () => {
    const pair = await socketPair();
    sendText(pair.ws, bytes('a'), bytes('1'));
    sendText(pair.ws, bytes('b'), bytes('2'));
    expect(pair.writes.count).toBe(0);
    await pair.until(2);
    expect(pair.received).toEqual(['a1', 'b2']);
    expect(pair.writes.count).toBe(1);
  });

  it('given a frame queued in the turn and then ws closing the socket, then later frames are refused and the queued one goes before the close', async () => {
    const pair = await socketPair();
    expect(pair.frames.add(bytes('a'), bytes('1'))).toBe(true);
    pair.ws.close(1000);
    expect(pair.frames.add(bytes('b'), bytes('2'))).toBe(false);
    await expect(pair.closed).resolves.toBe(1000);
    expect(pair.received).toEqual(['a1']);
  });

  it('given batches in successive turns, then each write is byte for byte the frames ws itself would send for those messages', async () => {
    const pair = await socketPair();
    const batches = [
      ['{"id":"1",', 'x'.repeat(50)],
      ['{"id":"22",', 'é'.repeat(100)],
      ['{"id":"3",', 'y'.repeat(70_000)],
    ];
    for (const texts of [batches, batches.slice(0, 2).reverse()]) {
      for (const [prefix, shared] of texts) pair.frames.add(bytes(prefix), bytes(shared));
      await nextTurn();
    }
    const expected = [batches, batches.slice(0, 2).reverse()].map((texts) => Buffer.concat(texts.flatMap(([prefix, shared]) => wsFrame(prefix + shared))));
    expect(pair.writes.bytes).toHaveLength(2);
    pair.writes.bytes.forEach((written, i) => expect(written.equals(expected[i])).toBe(true));
    await pair.until(5);
    expect(pair.received).toEqual([...batches, ...batches.slice(0, 2).reverse()].map(([prefix, shared]) => prefix + shared));
  });

  it('given a batch the stream still holds (corked), then the next batch does not overwrite it', async () => {
    const pair = await socketPair();
    pair.tcp.cork();
    pair.frames.add(bytes('a'), bytes('1'.repeat(100)));
    pair.frames.flush();
    pair.frames.add(bytes('b'), bytes('2'.repeat(100)));
    pair.frames.flush();
    pair.tcp.uncork();
    await pair.until(2);
    expect(pair.received).toEqual([`a${'1'.repeat(100)}`, `b${'2'.repeat(100)}`]);
  });

  it('given a client that stops reading, then batches the kernel takes only in part still arrive whole and in order', async () => {
    const pair = await socketPair();
    const clientSocket = (pair.client as unknown as { _socket: Socket })._socket;
    clientSocket.pause();
    const expected: string[] = [];
    // Until the kernel's buffers are full and a write is held back in part, then a few more batches.
    for (let i = 0, after = 0; after < 200 && i < 20_000; i++) {
      const shared = String.fromCharCode(97 + (i % 26)).repeat(4_000);
      pair.frames.add(bytes(`${i}:`), bytes(shared));
      expected.push(`${i}:${shared}`);
      if (after > 0 || pair.tcp.writableLength > 0) after += 1;
    }
    const heldBack = pair.tcp.writableLength > 0;
    expect(heldBack).toBe(true); // some batch was not taken at once: the stream kept its buffer
    clientSocket.resume();
    await pair.until(expected.length);
    expect(pair.received).toEqual(expected);
  });
});

/** `ws`'s own frame for a server's send(text) without extensions (its public Sender.frame, as websocket-frames.spec.ts uses). */
type FrameOptions = { fin: boolean; mask: boolean; opcode: number; readOnly: boolean; rsv1: boolean };
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };
function wsFrame(text: string): Buffer {
  return Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, mask: false, opcode: 0x01, readOnly: false, rsv1: false }));
}
