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
 */
export const QUERY_LIMITS = {
  /** nesting of selections; the standard introspection query needs 13 */
  depth: 15,
  /** fields, each multiplied by the page size of every list it sits in (`first`, else its default) */
  cost: 50_000,
  /** aliased fields in one operation: aliases are how one request multiplies a costly field */
  aliases: 30,
  /** operations in one batched HTTP request */
  batch: 10,
} as const;

export type QueryLimit = keyof typeof QUERY_LIMITS;

/** Page sizes of the list fields that take `first`, when the query does not say (their defaults). */
const DEFAULT_FIRST: Record<string, number> = { shoes: 20, events: 100 };

export function queryTooComplex(limit: QueryLimit, actual: number): GraphQLError {
  return new GraphQLError(`query exceeds the ${limit} limit (${actual} > ${QUERY_LIMITS[limit]})`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit, max: QUERY_LIMITS[limit], actual },
  });
}

/** Throws QUERY_TOO_COMPLEX for the first limit the operation exceeds. Fragments are expanded; cycles are refused by validation first. */
export function checkQueryLimits(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): void {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const measure = new Measure(fragments, variables);
  const { depth, cost } = measure.selectionSet(operation.selectionSet, 1);
  if (depth > QUERY_LIMITS.depth) throw queryTooComplex('depth', depth);
  if (measure.aliases > QUERY_LIMITS.aliases) throw queryTooComplex('aliases', measure.aliases);
  if (cost > QUERY_LIMITS.cost) throw queryTooComplex('cost', cost);
}

class Measure {
  aliases = 0;

  constructor(
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  /** Depth and cost of a selection set whose fields sit at `level`. */
  selectionSet(set: SelectionSetNode, level: number): { depth: number; cost: number } {
    let depth = level - 1;
    let cost = 0;
    for (const selection of set.selections) {
      const inner =
        selection.kind === Kind.FIELD
          ? this.field(selection, level)
          : this.selectionSet(
              selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : this.fragments.get(selection.name.value)!.selectionSet,
              level,
            );
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  }

  private field(field: FieldNode, level: number): { depth: number; cost: number } {
    if (field.alias) this.aliases += 1;
    // Introspection is answered from the schema in memory: it costs nothing per item, but it still nests.
    const free = field.name.value.startsWith('__');
    if (!field.selectionSet) return { depth: level, cost: free ? 0 : 1 };
    const inner = this.selectionSet(field.selectionSet, level + 1);
    return { depth: inner.depth, cost: free ? inner.cost : 1 + this.pageSize(field) * inner.cost };
  }

  private pageSize(field: FieldNode): number {
    const first = field.arguments?.find((a) => a.name.value === 'first');
    const value = first ? this.valueOf(first.value) : undefined;
    if (typeof value === 'number' && value > 0) return value;
    return DEFAULT_FIRST[field.name.value] ?? 1;
  }

  private valueOf(node: ValueNode): unknown {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return this.variables[node.name.value];
    return undefined;
  }
}
