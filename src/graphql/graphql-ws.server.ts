import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { Context, Disposable, ServerOptions } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { GraphQLContext } from '../auth/graphql-context';
import { AppConfigService } from '../config/app-config.service';
import { socketErrorFormatting } from './graphql-errors';
import { socketAddress, socketAuth, socketIdentity } from './graphql-socket-auth';
import { SharedSubscriptionResults, SOCKET_TARGET, SocketTarget } from './shared-subscription-results';
import { limitSubscriptionsPerSocket } from './socket-limits';
import { answerHandshakeRefusals } from './socket-handshake-refusals';
import { checkSocketOperation } from './socket-operation';
import { batchSocketWrites } from './socket-write-batching';

type SocketContext = GraphQLContext & { [SOCKET_TARGET]?: SocketTarget };

/**
 * graphql-ws (subprotocol graphql-transport-ws) on /graphql: graphql-ws's own `useServer` on a `ws` server of ours.
 *
 * Not through Nest's `subscriptions` option: Nest makes that server itself, with no frame limit and no option to
 * give it one (`ws` then accepts frames of 100 MB: one 90 MB `subscribe` frame blocked the event loop for 53 s),
 * and adds its own 'upgrade' listener to the HTTP server, ahead of which our per-address limit and the legacy
 * protocol could only come by replacing it. Here the frame limit is an option of our server, and upgrades come
 * from SocketUpgradeRouter (socket-upgrade.router.ts), the one 'upgrade' listener.
 */
@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly sockets: WebSocketServer;
  private server?: Disposable;

  constructor(
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly config: AppConfigService,
  ) {
    // No `path`: SocketUpgradeRouter matches the endpoint, as HTTP does, for both protocols.
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: config.settings.sockets.maxPayloadBytes });
    answerHandshakeRefusals(this.sockets);
  }

  /** At bootstrap: the schema exists by then (GraphQLModule built it), and no socket can come before `listen`. */
  onApplicationBootstrap(): void {
    this.server = useServer(this.options(), this.sockets);
  }

  /** Shutdown: every socket is sent 1001 "Going away"; resolves once all have closed (main.ts cuts the slow ones). */
  async onModuleDestroy(): Promise<void> {
    await this.server?.dispose();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.sockets.emit('connection', ws, req));
  }

  private options(): ServerOptions<Record<string, unknown> | undefined, Extra> {
    const { jwtSecret, env, sockets } = this.config.settings;
    const schema = this.schemaHost.schema;
    const auth = socketAuth(jwtSecret);
    const { onNext, onError } = socketErrorFormatting(env === 'development');
    const nextPayload = (result: ExecutionResult) => nextMessagePayload(result, onNext);
    // One execution per event for all subscribers of the same document and variables, written to their sockets
    // directly as the `next` messages graphql-ws sends: with the same payload, from nextPayload.
    const shared = new SharedSubscriptionResults({ nextPayload });
    return {
      schema,
      ...auth,
      onConnect: (ctx) => {
        // The frames a socket sends in one event-loop turn leave in one write (socket-write-batching.ts).
        batchSocketWrites(ctx.extra.socket, ctx.extra.request.socket);
        return auth.onConnect(ctx);
      },
      onNext: (_ctx, _id, _payload, _args, result) => nextPayload(result),
      onError,
      // Parsed, validated and measured once here; graphql-ws then neither parses nor validates again, and sends
      // returned errors as this operation's `error` message instead of closing the socket with 4500.
      onSubscribe: (_ctx, _id, payload) => {
        const checked = checkSocketOperation(schema, payload);
        return Array.isArray(checked) ? checked : { ...checked, schema };
      },
      // The same setting as the legacy protocol's (legacy-subscriptions.server.ts): closes with 4408.
      connectionInitWaitTimeout: sockets.connectionInitTimeoutMs,
      // Shared executions, at most maxSubscriptionsPerSocket running on one socket (socket-limits.ts).
      subscribe: limitSubscriptionsPerSocket(shared.subscribe, sockets.maxSubscriptionsPerSocket),
      context: (ctx, id) => socketContext(ctx, id),
    };
  }
}

/**
 * The `payload` of a `next` message. graphql-ws sends what onNext returns, and builds a payload of its own only
 * when onNext returns nothing: so this always returns one (results with errors formatted as over HTTP), and the
 * direct writes of SharedSubscriptionResults send exactly what graphql-ws would.
 */
function nextMessagePayload(result: ExecutionResult, onNext: ReturnType<typeof socketErrorFormatting>['onNext']): FormattedExecutionResult {
  return onNext(null, '', null, null, result) ?? { ...result, errors: undefined };
}

/** Each subscription's context: who is on the socket, and where its messages may be written directly (SharedSubscriptionResults). */
function socketContext(ctx: Context<Record<string, unknown> | undefined, Extra>, id: string): SocketContext {
  return {
    address: socketAddress(ctx.extra),
    identity: socketIdentity(ctx.extra),
    authError: null,
    [SOCKET_TARGET]: { socket: ctx.extra.socket, tcp: ctx.extra.request.socket, id },
  };
}
