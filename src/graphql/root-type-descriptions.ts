import { GraphQLObjectType, GraphQLSchema } from 'graphql';

/**
 * Descriptions of Query, Mutation and Subscription: what holds for every operation of a kind (API.md "Identity",
 * "Errors", "Endpoints"). Nest's code-first builder offers no place for them (it creates the root types itself),
 * so they are added to the built schema: by the server (transformSchema) and by schema.gql's printer alike.
 */
const ROOT_TYPE_DESCRIPTIONS = {
  query:
    'Reads; no token needed. Every error carries `extensions.code`; an operation over the depth, cost, alias or batch ' +
    'limits is refused before execution with QUERY_TOO_COMPLEX (`extensions.limit` names the limit); SERVICE_UNAVAILABLE ' +
    'means the database is unreachable (retry later).',
  mutation:
    'Writes, each returning the shoe as it stands after the write. They need `Authorization: Bearer <JWT>` (HS256; `sub` and ' +
    '`exp` required; `roles` containing "admin" grants admin): UNAUTHENTICATED without a valid token, FORBIDDEN when not allowed, ' +
    'RATE_LIMITED (`extensions.retryAfter`, seconds) past the per-user or per-address limit, SERVICE_UNAVAILABLE when ' +
    'the database is unreachable (retry later). A failed mutation appends nothing.',
  subscription:
    'Live streams over WebSocket at /graphql (graphql-transport-ws, or the legacy graphql-ws subprotocol); over HTTP a ' +
    'subscription is refused with BAD_REQUEST. No token needed; a `connection_init` with an invalid token is refused ' +
    '(close code 4403). A subscriber that falls too far behind gets SUBSCRIPTION_LAGGED with `extensions.lastPosition` ' +
    'and its subscription ends; resubscribe with `after` set to it.',
} as const;

/** The schema with its root types described; every other type and field is left as it is. */
export function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const replaced = new Set<GraphQLObjectType>();
  const describe = (type: GraphQLObjectType | null | undefined, description: string): GraphQLObjectType | undefined => {
    if (!type) return undefined;
    replaced.add(type);
    return new GraphQLObjectType({ ...type.toConfig(), description });
  };
  return new GraphQLSchema({
    ...config,
    query: describe(config.query, ROOT_TYPE_DESCRIPTIONS.query),
    mutation: describe(config.mutation, ROOT_TYPE_DESCRIPTIONS.mutation),
    subscription: describe(config.subscription, ROOT_TYPE_DESCRIPTIONS.subscription),
    types: config.types.filter((type) => !replaced.has(type as GraphQLObjectType)),
  });
}
