import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  GraphQLSchema,
  IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * The schema is the API's documentation (GraphiQL's and Playground's docs panes read it by introspection): every
 * type, field, argument, input field and enum value of ours says what it means, its limits and its errors.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** Everything of ours without a description, named as a reader would look it up ("Query.shoes(first)"). */
function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (what: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(what);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue; // graphql-js's own, described there
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of 'args' in field ? field.args : []) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
  }
  return missing;
}

describe('schema descriptions', () => {
  it('given a schema with undescribed parts, then the check names each of them (so it cannot pass by seeing nothing)', () => {
    // given
    const schema = buildSchema(`
      "described" type Query { "described" shoes(first: Int, "described" after: String): [Shoe] }
      type Shoe { "described" id: ID  order: Order }
      "described" enum Order { "described" A  B }
      "described" input In { x: Int }
    `);
    // when
    const missing = undocumented(schema);
    // then
    expect(missing.sort()).toEqual(['In.x', 'Order.B', 'Query.shoes(first)', 'Shoe', 'Shoe.order']);
  });

  it('given the committed schema.gql, then every type, field, argument and enum value of ours has a description', () => {
    // given
    const schema = buildSchema(readFileSync(path.resolve(__dirname, '../../schema.gql'), 'utf8'));
    // when
    const missing = undocumented(schema);
    // then
    expect(missing).toEqual([]);
  });

  it('given the standard introspection query over HTTP (what GraphiQL sends), then it answers every description', async () => {
    // given
    const res = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
    });
    // when
    const { data, errors } = (await res.json()) as { data: IntrospectionQuery; errors?: unknown };
    const schema = buildClientSchema(data);
    // then
    expect(errors).toBeUndefined();
    expect(undocumented(schema)).toEqual([]);
    expect(schema.getQueryType()?.getFields().shoes.args.find((arg) => arg.name === 'first')?.description).toMatch(/1\.\.100/);
    expect(schema.getMutationType()?.description).toMatch(/UNAUTHENTICATED/);
  });
});
