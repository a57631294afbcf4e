import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { QUERY_LIMITS, queryTooComplex } from './query-limits';

/**
 * Batched HTTP requests (a JSON array of operations) are allowed up to QUERY_LIMITS.batch operations;
 * a larger batch is refused before any of it runs. Query texts over QUERY_LIMITS.length are refused before
 * Apollo parses them (the socket protocols check the same in checkSocketOperation). Runs after Nest's body
 * parser, before Apollo.
 */
@Injectable()
export class BatchLimitMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const body: unknown = req.body;
    if (Array.isArray(body) && body.length > QUERY_LIMITS.batch) return refuse(res, queryTooComplex('batch', body.length));
    const operations: unknown[] = Array.isArray(body) ? body : [body, req.query];
    const longest = Math.max(0, ...operations.map(queryLength));
    if (longest > QUERY_LIMITS.length) return refuse(res, queryTooComplex('length', longest));
    next();
  }
}

function queryLength(operation: unknown): number {
  const query = (operation as { query?: unknown } | null | undefined)?.query;
  return typeof query === 'string' ? query.length : 0;
}

function refuse(res: Response, error: ReturnType<typeof queryTooComplex>): void {
  res.status(400).json({ errors: [{ message: error.message, extensions: error.extensions }] });
}
