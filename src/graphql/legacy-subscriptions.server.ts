import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { execute, ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConnectionContext, ExecutionParams, OperationMessage, SubscriptionServer } from 'subscriptions-transport-ws';
import { WebSocket, WebSocketServer } from 'ws';
import { GraphQLContext, identify } from '../auth/graphql-context';
import { AppConfigService } from '../config/app-config.service';
import { socketErrorFormatter } from './graphql-errors';
import { closeOnExpiry, FORBIDDEN_CLOSE_CODE } from './graphql-socket-auth';
import { checkSocketOperation } from './socket-operation';
import { SharedSubscriptionResults } from './shared-subscription-results';
import { batchSocketWrites } from './socket-write-batching';

/** The subprotocol of subscriptions-transport-ws (GraphQL Playground, older Apollo clients); graphql-ws's is graphql-transport-ws. */
const LEGACY_PROTOCOL = 'graphql-ws';
const MODERN_PROTOCOL = 'graphql-transport-ws';
const PATH = '/graphql';

/**
 * The legacy `subscriptions-transport-ws` protocol beside graphql-ws on the same /graphql path, chosen by the
 * socket's subprotocol, with the same schema, the same identity rules (a bad token in connection_init closes
 * with 4403, an expiring token closes the socket with 4403), the same query limits and the same error codes.
 *
 * Nest installs one 'upgrade' listener that hands every /graphql socket to graphql-ws. At bootstrap (after Nest
 * installed it) this takes that listener's place with a router: legacy sockets come here, all others go on
 * to Nest's listener unchanged.
 */
@Injectable()
export class LegacySubscriptionsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sockets = new WebSocketServer({ noServer: true });
  private server?: SubscriptionServer;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    const { jwtSecret, env } = this.config.settings;
    const formatOne = socketErrorFormatter(env === 'development');
    this.server = SubscriptionServer.create(
      {
        schema: this.schemaHost.schema,
        execute,
        // withLimitsAndCodes validates every operation (before measuring it); the library need not again.
        validationRules: [],
        // As on graphql-ws: one execution per event for all subscribers of the same document and variables.
        subscribe: new SharedSubscriptionResults().subscribe,
        keepAlive: 15_000,
        onConnect: (params: Record<string, unknown> | undefined, socket: WebSocket, connection: ConnectionContext) =>
          this.connect(params, socket, connection, jwtSecret),
        onOperation: (message: OperationMessage, params: ExecutionParams) => withLimitsAndCodes(message, params, formatOne, this.schemaHost.schema),
      },
      this.sockets,
    );
    this.routeUpgrades(this.adapterHost.httpAdapter.getHttpServer() as Server);
  }

  /** Shutdown: every legacy socket is told the server is going away, like graphql-ws does with its own. */
  beforeApplicationShutdown(): void {
    for (const socket of this.sockets.clients) socket.close(1001, 'Going away');
    this.server?.close();
  }

  private async connect(
    params: Record<string, unknown> | undefined,
    socket: WebSocket,
    connection: ConnectionContext,
    secret: string,
  ): Promise<GraphQLContext | false> {
    batchSocketWrites(socket, connection.request.socket);
    const { identity, authError } = await identify(params?.authorization, secret);
    if (authError) {
      socket.close(FORBIDDEN_CLOSE_CODE, 'Forbidden'); // the library alone would close with 1011
      return false;
    }
    if (identity) {
      const expiry: { socket: WebSocket; expiryTimer?: NodeJS.Timeout } = { socket };
      closeOnExpiry(expiry, identity.expiresAt);
      socket.once('close', () => clearTimeout(expiry.expiryTimer));
    }
    return { identity, authError: null, address: connection.request.socket.remoteAddress ?? null };
  }

  private routeUpgrades(http: Server): void {
    const upstream = http.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
    http.removeAllListeners('upgrade');
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!isLegacy(req)) return upstream.forEach((listener) => listener.call(http, req, socket, head));
      this.sockets.handleUpgrade(req, socket, head, (ws) => this.sockets.emit('connection', ws, req));
    });
  }
}

function isLegacy(req: IncomingMessage): boolean {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return (req.url ?? '').startsWith(PATH) && offered.includes(LEGACY_PROTOCOL) && !offered.includes(MODERN_PROTOCOL);
}

/**
 * The same checks in the same order as everywhere (checkSocketOperation), and results whose errors carry
 * API.md's codes. Async on purpose: the library sends a rejection's `errors` as this operation's data message,
 * but a synchronous throw only as a bare message. The library parses `params.query` itself unless it already
 * is a document (it reads the object passed in, not the one returned), so the parsed document is put there.
 */
async function withLimitsAndCodes(
  message: OperationMessage,
  params: ExecutionParams,
  formatOne: (e: GraphQLError) => unknown,
  schema: GraphQLSchema,
): Promise<ExecutionParams> {
  const payload = (message.payload ?? {}) as Record<string, unknown>;
  const checked = checkSocketOperation(schema, payload);
  if (Array.isArray(checked)) throw Object.assign(new Error('query refused'), { errors: checked.map(formatOne) });
  params.query = checked.document;
  return {
    ...params,
    query: checked.document,
    formatResponse: (result: ExecutionResult) => (result.errors?.length ? { ...result, errors: result.errors.map(formatOne) } : result),
  };
}
