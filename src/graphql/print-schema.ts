import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { ShoeMutationsResolver } from '../shoes/graphql/shoe-mutations.resolver';
import { ShoeQueriesResolver } from '../shoes/graphql/shoe-queries.resolver';
import { ShoeSubscriptionsResolver } from '../shoes/graphql/shoe-subscriptions.resolver';
import { BUILD_SCHEMA_OPTIONS } from './graphql-options.factory';

export const RESOLVERS = [ShoeQueriesResolver, ShoeMutationsResolver, ShoeSubscriptionsResolver];

const HEADER = '# Generated from the code-first resolvers by `npm run schema:generate`; do not edit by hand.\n\n';

/** The schema as committed in schema.gql: sorted, so that any change in the code shows up as a diff. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}

/** Builds the schema from resolver metadata alone: no database, no server. */
export async function buildSchemaFromCode(): Promise<GraphQLSchema> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  try {
    await app.init();
    return await app.get(GraphQLSchemaFactory).create(RESOLVERS, BUILD_SCHEMA_OPTIONS);
  } finally {
    await app.close();
  }
}
