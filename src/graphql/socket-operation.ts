import {
  DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLSchema,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { checkQueryLimits, MAX_TOKENS, QUERY_LIMITS, queryTooComplex } from './query-limits';

/** The operation of a socket message, as both socket protocols send it. */
export type SocketOperationPayload = { query?: unknown; operationName?: unknown; variables?: unknown };

/** A checked operation, ready to execute: parsed once, here. */
export type CheckedOperation = { document: DocumentNode; operationName?: string; variableValues?: Record<string, unknown> };

/**
 * The checks of an HTTP request, in Apollo's order, for an operation arriving over a socket (neither protocol
 * goes through Apollo): text length → parse (once, with maxTokens) → validate (graphql's specifiedRules) →
 * variables → query limits. Each failure carries the code Apollo gives it over HTTP, so the protocol sends it
 * as the error of this one operation and the socket with its other subscriptions lives on.
 */
export function checkSocketOperation(schema: GraphQLSchema, payload: SocketOperationPayload): CheckedOperation | GraphQLError[] {
  const query = payload.query;
  if (typeof query !== 'string') return [coded(new GraphQLError('query must be a string'), 'BAD_REQUEST')];
  if (query.length > QUERY_LIMITS.length) return [queryTooComplex('length', query.length)];
  const document = validDocument(schema, query);
  if (Array.isArray(document)) return document;
  const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) return [coded(new GraphQLError('Unable to identify the operation to run'), 'GRAPHQL_VALIDATION_FAILED')];
  const inputs = isRecord(payload.variables) ? payload.variables : {};
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], inputs, { maxErrors: 50 });
  if (variables.errors) return variables.errors.map((error) => coded(error, 'BAD_USER_INPUT'));
  try {
    checkQueryLimits(document, operation, variables.coerced);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  return { document, operationName, variableValues: inputs };
}

/**
 * Documents that parsed and validated, by text, per schema: parse and validate depend on nothing else, and live
 * clients open many subscriptions with one text (a page per shoe, a thousand tabs), each of which would otherwise
 * parse its own copy and keep it for as long as it runs (in the M benchmark, 10,000 subscriptions of two texts
 * added +139–153 MB of heap in use with their own copies, +74 MB sharing them).
 * One tree is shared instead: graphql-js never changes a document. Bounded, least recently used first out, by
 * count and by the length of the texts kept (a hostile client's many distinct valid texts cost at most that);
 * rejected texts are never kept, so a bad operation is checked again each time it is sent.
 */
export const DOCUMENT_CACHE_LIMITS = { documents: 500, characters: 1_000_000 };
const validDocuments = new WeakMap<GraphQLSchema, { byText: Map<string, DocumentNode>; characters: number }>();

function validDocument(schema: GraphQLSchema, query: string): DocumentNode | GraphQLError[] {
  let cache = validDocuments.get(schema);
  if (!cache) validDocuments.set(schema, (cache = { byText: new Map<string, DocumentNode>(), characters: 0 }));
  const kept = cache.byText.get(query);
  if (kept) {
    cache.byText.delete(query);
    cache.byText.set(query, kept);
    return kept;
  }
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_TOKENS });
  } catch (error) {
    if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_PARSE_FAILED')];
    throw error;
  }
  const invalid = validate(schema, document, specifiedRules, { maxErrors: 50 });
  if (invalid.length) return invalid.map((error) => coded(error, 'GRAPHQL_VALIDATION_FAILED'));
  cache.byText.set(query, document);
  cache.characters += query.length;
  for (const [text] of cache.byText) {
    if (cache.byText.size <= DOCUMENT_CACHE_LIMITS.documents && cache.characters <= DOCUMENT_CACHE_LIMITS.characters) break;
    cache.byText.delete(text);
    cache.characters -= text.length;
  }
  return document;
}

/** The same error with `extensions.code` (graphql-js's own errors have none). */
function coded(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
