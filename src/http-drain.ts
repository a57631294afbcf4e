import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The HTTP side of a graceful stop, which Nest's `app.close()` alone does not give: it stops listening only after
 * its destroy hooks ran, and those wait for every WebSocket's close handshake (up to 30 s for a client that stopped
 * reading), so new connections were still accepted meanwhile and a stalled client could stretch a shutdown past
 * any grace period. Installed before `listen` so that it sees every request.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private readonly upgraded = new Set<Duplex>();
  private draining = false;
  private onIdle: (() => void) | null = null;

  constructor(private readonly server: Server) {
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      // During the drain a keep-alive connection closes after its response instead of lingering idle.
      if (this.draining) res.setHeader('Connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => {
        this.inFlight.delete(res);
        if (this.inFlight.size === 0) this.onIdle?.();
      });
    });
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
    });
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  /** New connections are refused from now on; idle keep-alive connections close now, busy ones after their response. */
  stopAccepting(): void {
    this.draining = true;
    this.server.close(); // Nest's app.close() closes it again and waits for the last connection there
    this.server.closeIdleConnections();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Resolves true once every request in flight has been answered, false if `deadline` (epoch ms) comes first. */
  requestsDone(deadline: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onIdle = null;
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      this.onIdle = () => {
        clearTimeout(timer);
        this.onIdle = null;
        resolve(true);
      };
    });
  }

  /** Cuts whatever is still connected: requests past the grace period, WebSockets that never finished closing. */
  destroyAll(): void {
    this.server.closeAllConnections();
    for (const socket of this.upgraded) socket.destroy();
  }
}
