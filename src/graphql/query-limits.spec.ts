import { getIntrospectionQuery, OperationDefinitionNode, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkQueryLimits, QUERY_LIMITS } from './query-limits';

const operations = parse(readFileSync(path.join(__dirname, '../../test/e2e/shoes.graphql'), 'utf8'));
const check = (source: string, variables: Record<string, unknown> = {}) => {
  const document = parse(source);
  checkQueryLimits(document, document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, variables);
};
const limitOf = (fn: () => void) => {
  try {
    fn();
    return null;
  } catch (error) {
    return (error as { extensions: { code: string; limit: string } }).extensions;
  }
};

describe('query limits', () => {
  it('let the standard introspection query through', () => {
    expect(() => check(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }))).not.toThrow();
  });

  it('let every operation of the contract through at its largest first', () => {
    for (const definition of operations.definitions) {
      if (definition.kind !== 'OperationDefinition') continue;
      expect(() => checkQueryLimits(operations, definition, { first: definition.name?.value === 'Events' ? 1000 : 100 })).not.toThrow();
    }
  });

  it('refuse a query nested deeper than the depth limit', () => {
    // graphql-js already caps nesting of __Type.fields; chains of ofType are what an attacker can still nest.
const deep = `{ __type(name: "Shoe") { fields { type { ${'ofType { '.repeat(14)} name ${'} '.repeat(14)} } } } }`;
    expect(limitOf(() => check(deep))).toEqual(expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' }));
  });

  it('refuse more aliases than the alias limit', () => {
    const aliased = `{ ${Array.from({ length: QUERY_LIMITS.aliases + 1 }, (_, i) => `a${i}: shoes(first: 1) { totalCount }`).join(' ')} }`;
    expect(limitOf(() => check(aliased))).toEqual(expect.objectContaining({ limit: 'aliases' }));
  });

  it('refuse a cost over the limit, counting page sizes from arguments and variables', () => {
    const nested = `query($n: Int) { events(first: $n) { edges { node { shoeId ... on ShoeCreated { name } } } } shoes(first: 100) { edges { node { id name trueToSize { count } } } } }`;
    expect(limitOf(() => check(nested, { n: 1000 }))).toBeNull();
    const heavy = `{ ${Array.from({ length: 12 }, (_, i) => `e${i}: events(first: 1000) { edges { cursor node { shoeId version occurredAt position } } }`).join(' ')} }`;
    expect(limitOf(() => check(heavy))).toEqual(expect.objectContaining({ limit: 'cost' }));
  });

  it('expand fragments when measuring', () => {
    const viaFragments = `query { ...A } fragment A on Query { __type(name: "Shoe") { ...B } } fragment B on __Type { fields { type { ${'ofType { '.repeat(14)} name ${'} '.repeat(14)} } } }`;
    expect(limitOf(() => check(viaFragments))).toEqual(expect.objectContaining({ limit: 'depth' }));
  });

  it('refuse a 30-fragment doubling query quickly: each fragment is measured once, not at every spread', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const doubling = `query { ...F0 } ${fragments} fragment F30 on Query { shoes(first: 1) { totalCount } }`;
    const started = performance.now();
    expect(limitOf(() => check(doubling))).toEqual(expect.objectContaining({ limit: 'cost' }));
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('cost a variable by its default value when the request does not supply it', () => {
    const aliased = Array.from({ length: 30 }, (_, i) => `e${i}: events(first: $f) { edges { node { shoeId version occurredAt position } } }`);
    expect(limitOf(() => check(`query($f: Int = 1000) { ${aliased.join(' ')} }`))).toEqual(expect.objectContaining({ limit: 'cost' }));
    expect(limitOf(() => check(`query($f: Int = 1000) { ${aliased.join(' ')} }`, { f: 1 }))).toBeNull();
  });

  it('cost sizes by their length bound: one largest page of imports fits, two do not', () => {
    const page = (alias: string) => `${alias}: events(first: 1000) { edges { node { ... on TrueToSizesImported { sizes } } } }`;
    expect(limitOf(() => check(`{ ${page('a')} }`))).toBeNull();
    expect(limitOf(() => check(`{ ${page('a')} ${page('b')} }`))).toEqual(expect.objectContaining({ limit: 'listValues' }));
  });

  it('cost a list of objects by its length bound (distribution: 5 buckets)', () => {
    const shoes = (n: number) => `{ shoes(first: 100) { edges { node { trueToSize { distribution { ${Array.from({ length: n }, () => 'size count').join(' ')} } } } } } }`;
    const spend = (source: string) => {
      const document = parse(source);
      return checkQueryLimits(document, document.definitions[0] as OperationDefinitionNode);
    };
    expect(spend(shoes(1)).cost).toBeGreaterThan(100 * 5 * 2);
  });

  it('sum the budgets over the operations of one batch', () => {
    const document = parse('{ events(first: 1000) { edges { node { ... on TrueToSizesImported { sizes } } } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const once = checkQueryLimits(document, operation);
    expect(() => checkQueryLimits(document, operation, {}, once)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ limit: 'listValues' }) }));
  });
});
