import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';

/**
 * The default query limits. Every operation of API.md at its largest `first` and the standard introspection
 * query fit within them (query-limits.spec.ts checks both), while a query built to exhaust the server does not.
 *
 * Worst case, honestly: `cost` bounds the objects and fields of one HTTP request (all operations of a batch
 * together) to 50,000, a few MB of JSON; `listValues` bounds the elements of scalar lists (`sizes`, up to 10,000
 * per TrueToSizesImported) to 10,000,000 per request, which is exactly one `events(first: 1000)` of imports at
 * their largest: about 20 MB of JSON. The contract allows that one operation, so the limit cannot be lower;
 * what it stops is multiplying it by aliases or batching (7 KB of batched queries returned 70 MB).
 */
export const QUERY_LIMITS = {
  /** nesting of selections; the standard introspection query needs 13 */
  depth: 15,
  /** fields, each multiplied by the page size or length bound of every list it sits in (`first`, else its default) */
  cost: 50_000,
  /** elements of scalar lists (`sizes`), multiplied likewise; summed over a batch like cost */
  listValues: 10_000_000,
  /** aliased fields in one operation: aliases are how one request multiplies a costly field */
  aliases: 30,
  /** operations in one batched HTTP request */
  batch: 10,
  /** characters of query text, checked before parsing (half the 100 KB HTTP body limit; 10,000 inline sizes take 20 KB) */
  length: 50_000,
} as const;

/**
 * graphql-js's own guard against documents that are cheap to send and slow to parse (passed as `maxTokens`).
 * 10,000 inline sizes of an import are 10,001 tokens (commas are not tokens); the introspection query ~300.
 */
export const MAX_TOKENS = 15_000;

export type QueryLimit = keyof typeof QUERY_LIMITS;

/** Page sizes of the list fields that take `first`, when the query does not say (their defaults). */
const DEFAULT_FIRST: Record<string, number> = { shoes: 20, events: 100 };
/** Their largest `first` (API.md): a larger one is refused with BAD_USER_INPUT before any work, so it costs this. */
const MAX_FIRST: Record<string, number> = { shoes: 100, events: 1000 };

/**
 * Length bounds of list fields without `first`, by field name (caveat: a field added later under one of these
 * names gets its bound). Object lists multiply the cost of what they select; scalar lists count listValues.
 */
const OBJECT_LIST_BOUNDS: Record<string, number> = { distribution: 5 };
const SCALAR_LIST_BOUNDS: Record<string, number> = { sizes: 10_000 };

/** What an operation (or several, of one batch) has spent of the per-request budgets. */
export type QuerySpend = { cost: number; listValues: number };

export function queryTooComplex(limit: QueryLimit, actual: number): GraphQLError {
  return new GraphQLError(`query exceeds the ${limit} limit (${actual} > ${QUERY_LIMITS[limit]})`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit, max: QUERY_LIMITS[limit], actual },
  });
}

/**
 * Throws QUERY_TOO_COMPLEX for the first limit the operation exceeds; returns the spend including `spent`
 * (what earlier operations of the same batch used). The document must be valid (no fragment cycles,
 * no unknown fragments): validation runs first everywhere. Linear in the document's size: each fragment
 * is measured once, however often it is spread.
 */
export function checkQueryLimits(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  spent: QuerySpend = { cost: 0, listValues: 0 },
): QuerySpend {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const measured = new Measure(fragments, variables, operation).selectionSet(operation.selectionSet);
  const total = { cost: spent.cost + measured.cost, listValues: spent.listValues + measured.listValues };
  if (measured.depth > QUERY_LIMITS.depth) throw queryTooComplex('depth', measured.depth);
  if (measured.aliases > QUERY_LIMITS.aliases) throw queryTooComplex('aliases', measured.aliases);
  if (total.cost > QUERY_LIMITS.cost) throw queryTooComplex('cost', total.cost);
  if (total.listValues > QUERY_LIMITS.listValues) throw queryTooComplex('listValues', total.listValues);
  return total;
}

/** Measures of a selection set: depth = levels of fields in it and below (0 when empty). */
type Measures = { depth: number; cost: number; listValues: number; aliases: number };

class Measure {
  private readonly memo = new Map<string, Measures>();

  constructor(
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly operation: OperationDefinitionNode,
  ) {}

  selectionSet(set: SelectionSetNode): Measures {
    const sum: Measures = { depth: 0, cost: 0, listValues: 0, aliases: 0 };
    for (const selection of set.selections) {
      const inner =
        selection.kind === Kind.FIELD
          ? this.field(selection)
          : selection.kind === Kind.INLINE_FRAGMENT
            ? this.selectionSet(selection.selectionSet)
            : this.fragment(selection.name.value);
      sum.depth = Math.max(sum.depth, inner.depth);
      sum.cost += inner.cost;
      sum.listValues += inner.listValues;
      sum.aliases += inner.aliases;
    }
    return sum;
  }

  /** Once per fragment: a fragment's measures do not depend on where it is spread (depth is relative). */
  private fragment(name: string): Measures {
    const known = this.memo.get(name);
    if (known) return known;
    const definition = this.fragments.get(name);
    // Unknown fragments and cycles are validation errors; measured as nothing should validation ever be skipped.
    this.memo.set(name, { depth: 0, cost: 0, listValues: 0, aliases: 0 });
    const measured = definition ? this.selectionSet(definition.selectionSet) : { depth: 0, cost: 0, listValues: 0, aliases: 0 };
    this.memo.set(name, measured);
    return measured;
  }

  private field(field: FieldNode): Measures {
    const aliases = field.alias ? 1 : 0;
    const name = field.name.value;
    // Introspection is answered from the schema in memory: it costs nothing per item, but it still nests.
    const free = name.startsWith('__');
    if (!field.selectionSet) return { depth: 1, cost: free ? 0 : 1, listValues: SCALAR_LIST_BOUNDS[name] ?? 0, aliases };
    const inner = this.selectionSet(field.selectionSet);
    const times = free ? 1 : this.length(field);
    return {
      depth: 1 + inner.depth,
      cost: (free ? 0 : 1) + times * inner.cost,
      listValues: times * inner.listValues,
      aliases: aliases + inner.aliases,
    };
  }

  /** How many times a field's selection can be answered: its page size, its list bound, else once. */
  private length(field: FieldNode): number {
    const first = field.arguments?.find((a) => a.name.value === 'first');
    const value = first ? this.valueOf(first.value) : undefined;
    if (typeof value === 'number' && value > 0) return Math.min(value, MAX_FIRST[field.name.value] ?? value);
    return DEFAULT_FIRST[field.name.value] ?? OBJECT_LIST_BOUNDS[field.name.value] ?? 1;
  }

  /** A literal, a supplied variable, else the variable's default: a default must not escape the cost limit. */
  private valueOf(node: ValueNode): unknown {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind !== Kind.VARIABLE) return undefined;
    if (this.variables[node.name.value] !== undefined) return this.variables[node.name.value];
    const definition = this.operation.variableDefinitions?.find((d) => d.variable.name.value === node.name.value);
    return definition?.defaultValue ? this.valueOf(definition.defaultValue) : undefined;
  }
}
