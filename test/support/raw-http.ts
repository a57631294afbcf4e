import { connect } from 'node:net';

/** The head of the first answer on a raw socket, what followed it, and whether the server had closed by then. */
export type RawAnswer = { status: number; headers: Map<string, string>; body: string; closed: boolean };

/**
 * Sends `request` as is over a new TCP connection, as a hostile client would (nothing on our side normalizes it
 * first), and parses the first answer. Done when the answer is whole (its head and declared body, or a 101's head),
 * or, with `untilClosed`, only when the server closes the connection (a 101 still ends it at once); at the latest
 * after `timeoutMs`. Rejects when no answer head came at all.
 */
export function sendRaw(port: number, request: string | Buffer, { timeoutMs = 2_000, untilClosed = false } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no answer head within ${timeoutMs} ms (closed: ${closed}): ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4), closed });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (/^HTTP\/1\.1 101 /.test(text)) return done();
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
      if (!untilClosed && length && text.length >= end + 4 + Number(length[1])) done();
    });
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('error', () => undefined); // a server that cuts after answering (413) may reset the socket
  });
}
