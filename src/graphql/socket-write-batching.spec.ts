import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { batchSocketWrites } from './socket-write-batching';

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
