/* global Buffer */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';

/**
 * A WebSocket client just good enough for the bench's L subscribers (live-subscribers.worker.mjs), because `ws` spent ~3 µs of this process's CPU per
 * message (a Buffer and an event per frame) and L delivers up to half a million messages a second: frames are
 * parsed in place from each TCP chunk and handed on as (buffer, start, end). Text frames only; pings are answered;
 * client frames are masked (with a zero key, which the protocol allows). Emits open, message, error, close.
 */
export function rawWebSocket(port, pathName, protocol) {
  const emitter = new EventEmitter();
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  let open = false;
  const frame = (opcode, payload) => {
    const length = payload.length;
    const header = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length]) : length < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 255]) : null;
    if (!header) throw new Error('frame too large for this client');
    socket.write(Buffer.concat([header, Buffer.alloc(4), payload])); // mask key 0: payload unchanged
  };
  socket.on('connect', () =>
    socket.write(
      `GET ${pathName} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    ),
  );
  socket.on('data', (chunk) => {
    const data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    if (!open) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return void (pending = data);
      const head = data.toString('latin1', 0, end);
      if (!head.startsWith('HTTP/1.1 101')) return void emitter.emit('error', new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      open = true;
      offset = end + 4;
      emitter.emit('open');
    }
    while (data.length - offset >= 2) {
      const opcode = data[offset] & 0x0f;
      let length = data[offset + 1] & 0x7f;
      let start = offset + 2;
      if (length === 126) {
        if (data.length - offset < 4) break;
        length = data.readUInt16BE(offset + 2);
        start = offset + 4;
      } else if (length === 127) {
        if (data.length - offset < 10) break;
        length = Number(data.readBigUInt64BE(offset + 2));
        start = offset + 10;
      }
      if (data.length < start + length) break;
      if (opcode === 1 || opcode === 0) emitter.emit('message', data, start, start + length);
      else if (opcode === 9) frame(10, data.subarray(start, start + length));
      else if (opcode === 8) socket.end();
      offset = start + length;
    }
    pending = offset < data.length ? Buffer.from(data.subarray(offset)) : Buffer.alloc(0);
  });
  socket.on('error', (error) => emitter.emit('error', error));
  socket.on('close', () => emitter.emit('close'));
  return Object.assign(emitter, {
    send: (text) => frame(1, Buffer.from(text)),
    destroy: () => socket.destroy(),
  });
}

