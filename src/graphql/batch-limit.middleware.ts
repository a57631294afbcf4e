import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { QUERY_LIMITS, queryTooComplex } from './query-limits';

/**
 * Batched HTTP requests (a JSON array of operations) are allowed up to QUERY_LIMITS.batch operations;
 * a larger batch is refused before any of it runs. Runs after Nest's body parser, before Apollo.
 */
@Injectable()
export class BatchLimitMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const body: unknown = req.body;
    if (!Array.isArray(body) || body.length <= QUERY_LIMITS.batch) return next();
    const error = queryTooComplex('batch', body.length);
    res.status(400).json({ errors: [{ message: error.message, extensions: error.extensions }] });
  }
}
