import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { QUERY_LIMITS, queryTooComplex } from './query-limits';

/**
 * Batched HTTP requests (a JSON array of operations) are allowed up to QUERY_LIMITS.batch operations;
 * a larger batch is refused before any of it runs. Query texts over QUERY_LIMITS.length are refused before
 * Apollo parses them (the socket protocols check the same in checkSocketOperation). A `preHandler` hook of the
 * GraphQL route: after Fastify parsed the body (within its 100 KB limit), before Apollo.
 */
export function installBatchLimit(fastify: FastifyInstance, path: string): void {
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (request.routeOptions.url !== path) return done();
    const refusal = batchLimitRefusal(request.body, request.query);
    if (!refusal) return done();
    void reply.code(400).send({ errors: [{ message: refusal.message, extensions: refusal.extensions }] });
  });
}

/** The QUERY_TOO_COMPLEX error a request's body (and query string, for GET) earns before parsing, if any. */
export function batchLimitRefusal(body: unknown, query: unknown): ReturnType<typeof queryTooComplex> | null {
  if (Array.isArray(body)) {
    if (body.length > QUERY_LIMITS.batch) return queryTooComplex('batch', body.length);
    return lengthRefusal(body);
  }
  return lengthRefusal([body, query]);
}

function lengthRefusal(operations: unknown[]): ReturnType<typeof queryTooComplex> | null {
  let longest = 0;
  for (const operation of operations) longest = Math.max(longest, queryLength(operation));
  return longest > QUERY_LIMITS.length ? queryTooComplex('length', longest) : null;
}

function queryLength(operation: unknown): number {
  const query = (operation as { query?: unknown } | null | undefined)?.query;
  return typeof query === 'string' ? query.length : 0;
}
