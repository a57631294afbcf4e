import { ShoeMutationsResolver } from './shoe-mutations.resolver';
import { ShoeQueriesResolver } from './shoe-queries.resolver';
import { ShoeSubscriptionsResolver } from './shoe-subscriptions.resolver';

/**
 * The feature's GraphQL surface, for building its schema without a server (src/print-schema.cli.ts): the GraphQL
 * infrastructure (src/graphql) never imports a feature's GraphQL layer, so the feature names its resolvers here.
 */
export const SHOE_RESOLVERS = [ShoeQueriesResolver, ShoeMutationsResolver, ShoeSubscriptionsResolver];
