import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { refuseUpgrade } from '../web/security-headers';

/**
 * `ws` refuses a malformed handshake (a method other than GET, a missing or bad Upgrade, Sec-WebSocket-Key,
 * -Version, -Protocol or -Extensions header) by writing a bare text/html answer of its own, without the security
 * headers every other answer of ours carries. With a 'wsClientError' listener it writes nothing and hands the
 * refusal over: this one answers with the same status (`ws`'s: 405 for the method, 400 for the rest, with the
 * versions it speaks for a bad version) and message, in our form (security-headers.ts, refuseUpgrade).
 * Still ws's own: the 503 it writes for a handshake that arrives while it is closing (the process is stopping).
 */
export function answerHandshakeRefusals(sockets: WebSocketServer): void {
  sockets.on('wsClientError', (error: Error, socket: Duplex, req: IncomingMessage) => {
    if (error.message === 'Invalid HTTP method') return refuseUpgrade(req, socket, 405, error.message, { allow: 'GET' });
    const versions: Record<string, string> = error.message.includes('Sec-WebSocket-Version') ? { 'sec-websocket-version': '13, 8' } : {};
    refuseUpgrade(req, socket, 400, error.message, versions);
  });
}
