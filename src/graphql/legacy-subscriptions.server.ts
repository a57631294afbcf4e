import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ExecutionArgs, execute, ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionContext, ExecutionParams, MessageTypes, OperationMessage, SubscriptionServer } from 'subscriptions-transport-ws';
import { WebSocket, WebSocketServer } from 'ws';
import { GraphQLContext, identify } from '../auth/graphql-context';
import { AppConfigService } from '../config/app-config.service';
import { socketErrorFormatter } from './graphql-errors';
import { closeOnExpiry, FORBIDDEN_CLOSE_CODE } from './graphql-socket-auth';
import { isAsyncIterable } from './async-iterators';
import { LegacyStart, LegacyStarts, paced } from './legacy-operations';
import { SharedSubscriptionResults, SOCKET_TARGET, SocketTarget } from './shared-subscription-results';
import { INIT_TIMEOUT_CLOSE_CODE, limitSubscriptionsPerSocket } from './socket-limits';
import { answerHandshakeRefusals } from './socket-handshake-refusals';
import { checkSocketOperation } from './socket-operation';
import { batchSocketWrites } from './socket-write-batching';

/** On a legacy operation's context: its start, to end it if a stop came while it was being set up. */
const LEGACY_START = Symbol('legacyStart');
type LegacyOperation = { start: LegacyStart; starts: LegacyStarts; id: string };
type LegacyContext = { [LEGACY_START]?: LegacyOperation; [SOCKET_TARGET]?: SocketTarget };
type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * The legacy `subscriptions-transport-ws` protocol beside graphql-ws on the same /graphql path, chosen by the
 * socket's subprotocol, with the same schema, the same identity rules (a bad token in connection_init closes
 * with 4403, an expiring token closes the socket with 4403), the same query limits and the same error codes.
 *
 * SocketUpgradeRouter (socket-upgrade.router.ts) hands it the sockets that offer only this protocol, after the
 * per-address limit both protocols share. Frames are limited as on graphql-ws (settings `sockets.maxPayloadBytes`,
 * closes with 1009); subscriptions per socket by both `subscribe`s.
 *
 * Beyond the library, legacy sockets get what graphql-ws has: a connection_init timeout (4408), back-pressure
 * (direct writes as on graphql-ws, and `paced` for the rest, so a paused reader ends with SUBSCRIPTION_LAGGED
 * instead of growing the server), and a `stop` that always ends its subscription (legacy-operations.ts).
 */
@Injectable()
export class LegacySubscriptionsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sockets: WebSocketServer;
  /** Per socket: its starts and stops in arrival order, and the TCP socket under it (for direct writes and pacing). */
  private readonly watched = new WeakMap<WebSocket, { starts: LegacyStarts; tcp: Socket }>();
  private server?: SubscriptionServer;

  constructor(
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly config: AppConfigService,
  ) {
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: config.settings.sockets.maxPayloadBytes });
    answerHandshakeRefusals(this.sockets);
  }

  onApplicationBootstrap(): void {
    const { jwtSecret, env, sockets: limits } = this.config.settings;
    const format = legacyFormat(socketErrorFormatter(env === 'development'));
    // As on graphql-ws: one execution per event for all subscribers of the same document and variables, written
    // directly to the socket as the `data` message the library would send (formatted as the library's own).
    const shared = new SharedSubscriptionResults({ nextPayload: format.result });
    const subscribe = limitSubscriptionsPerSocket(shared.subscribe, limits.maxSubscriptionsPerSocket);
    this.server = SubscriptionServer.create(
      {
        schema: this.schemaHost.schema,
        execute,
        // withLimitsAndCodes validates every operation (before measuring it); the library need not again.
        validationRules: [],
        subscribe: (args: ExecutionArgs) => this.subscribe(args, subscribe),
        keepAlive: 15_000,
        onConnect: (params: Record<string, unknown> | undefined, socket: WebSocket, connection: ConnectionContext) =>
          this.connect(params, socket, connection, jwtSecret),
        onOperation: (message: OperationMessage, params: ExecutionParams, socket: WebSocket) => this.operation(message, params, socket, format),
      },
      this.sockets,
    );
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

  /** Marks the operation's context with its start and where its results may be written directly. */
  private async operation(
    message: OperationMessage,
    params: ExecutionParams,
    socket: WebSocket,
    format: LegacyFormat,
  ): Promise<ExecutionParams> {
    const { starts, tcp } = this.watched.get(socket) ?? {};
    const id = String(message.id);
    const context = params.context as LegacyContext;
    if (starts) context[LEGACY_START] = { start: starts.take(id), starts, id };
    if (tcp) context[SOCKET_TARGET] = { socket, tcp, id, type: starts?.oldest ? MessageTypes.SUBSCRIPTION_DATA : MessageTypes.GQL_DATA };
    try {
      return await withLimitsAndCodes(message, params, format, this.schemaHost.schema);
    } catch (error) {
      const operation = context[LEGACY_START];
      operation?.starts.settle(id, operation.start);
      throw error;
    }
  }

  /**
   * `stop` always ends its subscription: one that came while the start was being set up is applied here, once
   * the subscription exists. From here to the library recording the subscription there are only microtasks (no
   * message can come in between), so any later stop finds it.
   */
  private async subscribe(args: ExecutionArgs, subscribe: Subscribe): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const context = args.contextValue as LegacyContext | undefined;
    const operation = context?.[LEGACY_START];
    if (operation?.start.stopped) {
      operation.starts.settle(operation.id, operation.start);
      return finished();
    }
    let result: AsyncIterableIterator<ExecutionResult> | ExecutionResult;
    try {
      result = await subscribe(args);
    } finally {
      if (operation) operation.starts.settle(operation.id, operation.start);
    }
    if (!isAsyncIterable<ExecutionResult>(result)) return result;
    if (operation?.start.stopped) {
      await result.return?.();
      return finished();
    }
    const tcp = context?.[SOCKET_TARGET]?.tcp;
    return tcp ? paced(result, tcp) : result;
  }

  /** A socket SocketUpgradeRouter found to offer only this protocol. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.handleUpgrade(req, socket, head, (ws) => {
      this.watch(ws, req.socket);
      this.sockets.emit('connection', ws, req);
    });
  }

  /** Before the library's listeners: the connection_init timeout, and the starts and stops in arrival order. */
  private watch(ws: WebSocket, tcp: Socket): void {
    const starts = new LegacyStarts();
    this.watched.set(ws, { starts, tcp });
    const initTimer = setTimeout(
      () => ws.close(INIT_TIMEOUT_CLOSE_CODE, 'Connection initialisation timeout'),
      this.config.settings.sockets.connectionInitTimeoutMs,
    );
    ws.once('close', () => clearTimeout(initTimer));
    ws.on('message', (raw) => {
      const type = starts.seen(raw);
      if (type === MessageTypes.GQL_CONNECTION_INIT || type === MessageTypes.INIT) clearTimeout(initTimer);
    });
  }
}

/** An iterator that is already done: the library sends `complete` for it. */
function finished(): AsyncIterableIterator<ExecutionResult> {
  const done = async (): Promise<IteratorResult<ExecutionResult>> => ({ done: true, value: undefined });
  return {
    next: done,
    return: done,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Errors with API.md's codes, one by one (refusals) and in results (both the library's sends and direct writes). */
type LegacyFormat = { one: (error: GraphQLError) => unknown; result: (result: ExecutionResult) => unknown };

function legacyFormat(one: (error: GraphQLError) => unknown): LegacyFormat {
  return { one, result: (result) => (result.errors?.length ? { ...result, errors: result.errors.map(one) } : result) };
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
  format: LegacyFormat,
  schema: GraphQLSchema,
): Promise<ExecutionParams> {
  const payload = (message.payload ?? {}) as Record<string, unknown>;
  const checked = checkSocketOperation(schema, payload);
  if (Array.isArray(checked)) throw Object.assign(new Error('query refused'), { errors: checked.map(format.one) });
  params.query = checked.document;
  return {
    ...params,
    query: checked.document,
    formatResponse: format.result,
  };
}
