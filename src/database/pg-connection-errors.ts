/**
 * Adapter: whether an error means the database cannot be reached right now (the client should retry later, not fix
 * its request; API.md's SERVICE_UNAVAILABLE).
 *
 * Why it reads message text: PostgreSQL's own refusals carry SQLSTATE codes (57P01-57P03 shutting down, class 08
 * connection exceptions), and socket failures carry Node's errno codes, but node-postgres and pg-pool raise their
 * client-side connection failures as plain Errors with no code at all ("Connection terminated unexpectedly",
 * "timeout exceeded when trying to connect", "Client has encountered a connection error and is not queryable",
 * pg 8 / pg-pool 3). Codes are checked first; only those messages are matched, and only here.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P0[1-3]|08\w{3})$/.test(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
