import { buildSchema, GraphQLError } from 'graphql';
import { checkSocketOperation, DOCUMENT_CACHE_LIMITS, type CheckedOperation } from './socket-operation';

const schema = () => buildSchema('type Query { shoe(id: ID!): String } type Subscription { shoeChanged(id: ID!): String }');
const SUBSCRIBE = 'subscription S($id: ID!) { shoeChanged(id: $id) }';

function checked(result: CheckedOperation | GraphQLError[]): CheckedOperation {
  if (Array.isArray(result)) throw new Error(`expected a checked operation, got ${result.map((e) => e.message).join('; ')}`);
  return result;
}

describe('checkSocketOperation: documents kept by text', () => {
  it('given one text subscribed twice, then both share one parsed document, each with its own variables', () => {
    const s = schema();
    const first = checked(checkSocketOperation(s, { query: SUBSCRIBE, variables: { id: 'a' } }));
    const second = checked(checkSocketOperation(s, { query: SUBSCRIBE, variables: { id: 'b' } }));
    expect(second.document).toBe(first.document);
    expect([first.variableValues, second.variableValues]).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('given a kept text, then the per-operation checks still run: a missing variable and an unknown operation name are refused', () => {
    const s = schema();
    checked(checkSocketOperation(s, { query: SUBSCRIBE, variables: { id: 'a' } }));
    const missing = checkSocketOperation(s, { query: SUBSCRIBE, variables: {} });
    const unnamed = checkSocketOperation(s, { query: SUBSCRIBE, operationName: 'Other', variables: { id: 'a' } });
    expect(Array.isArray(missing) && missing.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect(Array.isArray(unnamed) && unnamed.map((e) => e.extensions.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('given another schema, then the text is validated against it, not answered from the first schema\'s documents', () => {
    checked(checkSocketOperation(schema(), { query: SUBSCRIBE, variables: { id: 'a' } }));
    const other = buildSchema('type Query { shoe(id: ID!): String } type Subscription { shoeChanged: String }');
    const result = checkSocketOperation(other, { query: SUBSCRIBE, variables: { id: 'a' } });
    expect(Array.isArray(result) && result.map((e) => e.extensions.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('given an invalid text sent twice, then it is refused both times with the same errors (a rejection is never kept)', () => {
    const s = schema();
    const bad = 'subscription { shoeChanged }';
    const codes = () => (checkSocketOperation(s, { query: bad }) as GraphQLError[]).map((e) => `${e.extensions.code}: ${e.message}`);
    expect(codes()).toEqual(codes());
    expect(codes()[0]).toMatch(/^GRAPHQL_VALIDATION_FAILED: .*"id"/);
  });

  it('given more distinct texts than the bound, then the least recently used is parsed anew and a recently used one is still shared', () => {
    const s = schema();
    const text = (i: number) => `query Q${i} { shoe(id: "${i}") }`;
    const documentOf = (i: number) => checked(checkSocketOperation(s, { query: text(i) })).document;
    const oldest = documentOf(0);
    const recent = documentOf(1);
    for (let i = 2; i <= DOCUMENT_CACHE_LIMITS.documents; i++) {
      documentOf(i);
      if (i % 100 === 0) expect(documentOf(1)).toBe(recent); // keeps text 1 recently used
    }
    expect(documentOf(1)).toBe(recent);
    expect(documentOf(0)).not.toBe(oldest);
  });

  it('given texts longer in total than the character bound, then the oldest are dropped before the count bound is reached', () => {
    const s = schema();
    const padding = ' '.repeat(40_000); // whitespace: a long text, few tokens
    const text = (i: number) => `query L${i} { shoe(id: "${i}") }${padding}`;
    const first = checked(checkSocketOperation(s, { query: text(0) })).document;
    const fits = Math.floor(DOCUMENT_CACHE_LIMITS.characters / text(0).length);
    for (let i = 1; i <= fits; i++) checked(checkSocketOperation(s, { query: text(i) }));
    expect(fits).toBeLessThan(DOCUMENT_CACHE_LIMITS.documents);
    expect(checked(checkSocketOperation(s, { query: text(0) })).document).not.toBe(first);
  });
});
