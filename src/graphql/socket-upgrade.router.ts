import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DEPRECATED_GRAPHQL_WS_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { AppConfigService } from '../config/app-config.service';
import { GRAPHQL_PATH } from './graphql-options.factory';
import { GraphqlWsServer } from './graphql-ws.server';
import { LegacySubscriptionsServer } from './legacy-subscriptions.server';
import { refuseUpgrade } from '../web/security-headers';
import { answerHandshakeRefusals } from './socket-handshake-refusals';
import { SocketsPerAddress, TOO_MANY_SOCKETS_CLOSE_CODE, TOO_MANY_SOCKETS_REASON } from './socket-limits';

/**
 * The one 'upgrade' listener of the HTTP server, added at bootstrap (before `listen`). For every upgrade:
 * 0. the endpoint is matched as HTTP matches it (Fastify: any case, one trailing slash, any query):
 *    an upgrade to any other path is refused with 404 and closed, never left open unanswered (a socket the HTTP
 *    server hands to an 'upgrade' listener has no timeout of its own left, so an unanswered one stayed open for as
 *    long as the client liked). Malformed handshakes are refused by `ws`, in our form (socket-handshake-refusals.ts);
 * then, on /graphql:
 * 1. sockets per address, both protocols together (settings `sockets.maxPerAddress`): one more is accepted only to
 *    be closed at once with 4429, a code the client sees;
 * 2. by subprotocol: one that offers subscriptions-transport-ws's ('graphql-ws') and not graphql-ws's own
 *    ('graphql-transport-ws') goes to LegacySubscriptionsServer, every other to GraphqlWsServer (which refuses
 *    what it does not speak, as graphql-ws does).
 */
@Injectable()
export class SocketUpgradeRouter implements OnApplicationBootstrap {
  /** Completes the handshake of a socket over the per-address limit, only to close it. */
  private readonly refusals = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly perAddress: SocketsPerAddress;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly graphqlWs: GraphqlWsServer,
    private readonly legacy: LegacySubscriptionsServer,
    config: AppConfigService,
  ) {
    this.perAddress = new SocketsPerAddress(config.settings.sockets.maxPerAddress);
    answerHandshakeRefusals(this.refusals);
  }

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.route(req, socket, head));
  }

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!isGraphqlPath(req.url ?? '')) return refuseUpgrade(req, socket, 404, `No WebSocket endpoint here: connect to ${GRAPHQL_PATH}`);
    if (!this.perAddress.admit(req.socket.remoteAddress, (release) => socket.once('close', release))) {
      return this.refusals.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => undefined); // e.g. a frame over its limit: an 'error' nobody listens to would end the process
        ws.close(TOO_MANY_SOCKETS_CLOSE_CODE, TOO_MANY_SOCKETS_REASON);
      });
    }
    if (offersOnlyLegacy(req)) this.legacy.handleUpgrade(req, socket, head);
    else this.graphqlWs.handleUpgrade(req, socket, head);
  }
}

function isGraphqlPath(url: string): boolean {
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  return path === GRAPHQL_PATH || path === `${GRAPHQL_PATH}/`;
}

function offersOnlyLegacy(req: IncomingMessage): boolean {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim());
  return offered.includes(DEPRECATED_GRAPHQL_WS_PROTOCOL) && !offered.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL);
}
