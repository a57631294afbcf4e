import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLContext } from './graphql-context';
import { ForbiddenError, Identity, NotSignedInError } from './identity';

function contextOf(execution: ExecutionContext): GraphQLContext {
  return GqlExecutionContext.create(execution).getContext<GraphQLContext>();
}

function signedIn(execution: ExecutionContext): Identity {
  const { identity, authError } = contextOf(execution);
  if (authError) throw authError;
  if (!identity) throw new NotSignedInError();
  return identity;
}

/** Any signed-in user: a missing, malformed, expired or badly signed token is UNAUTHENTICATED. */
@Injectable()
export class SignedInGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    signedIn(execution);
    return true;
  }
}

/** Admins only: authenticated non-admins get FORBIDDEN. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    if (!signedIn(execution).isAdmin) throw new ForbiddenError(GqlExecutionContext.create(execution).getInfo().fieldName);
    return true;
  }
}

/** The verified caller of a guarded resolver. */
export const CurrentUser = createParamDecorator((_data: unknown, execution: ExecutionContext) => signedIn(execution));
