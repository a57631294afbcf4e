import { createServer } from 'node:net';

/**
 * A port the OS just handed out on 127.0.0.1 and released again, for a server (or PostgreSQL) to bind.
 * Another process could take it in between; callers that cannot retry should say so in their error.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
