import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { GqlContextType } from '@nestjs/graphql';

/**
 * Hands resolver errors to Apollo untouched, where formatGraphQLError gives each its API.md code and the
 * operation log writes one line (with the stack only for internal errors). Without it, Nest's own handler
 * would log every expected domain error (a taken name, a bad size) as an error with a stack trace.
 * Other contexts (HTTP controllers) keep Nest's default handling.
 */
@Catch()
export class GraphQLErrorsFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') return exception;
    return super.catch(exception, host);
  }
}
