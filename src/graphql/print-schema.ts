import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { describeRootTypes } from './root-type-descriptions';

const HEADER = '# Generated from the code-first resolvers by `npm run schema:generate`; do not edit by hand.\n\n';

/** The schema as committed in schema.gql: sorted, so that any change in the code shows up as a diff. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}

/**
 * Builds the schema from resolver metadata alone: no database, no server. The resolvers come from the caller (the
 * features name theirs), so this layer knows no feature; the result is what the server's GraphQLModule builds.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's own type for resolver classes
export async function buildSchemaFromCode(resolvers: Function[]): Promise<GraphQLSchema> {
  // An application context, not an application: no HTTP platform is needed (nor loaded) to build a schema.
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    return describeRootTypes(await app.get(GraphQLSchemaFactory).create(resolvers));
  } finally {
    await app.close();
  }
}
