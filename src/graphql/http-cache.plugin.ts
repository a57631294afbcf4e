import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContextResponseForOperation,
  GraphQLRequestContextWillSendResponse,
  GraphQLResponse,
} from '@apollo/server' with { 'resolution-mode': 'import' };
import { type FormattedExecutionResult, type GraphQLSchema, printSchema } from 'graphql';
import { createHash } from 'node:crypto';
import { type CurrentVersions, ReadSet, type StreamVersions } from '../event-store/read-set';
import { AnswerCache, answerKey, rootFieldCount, versionTag } from './answer-cache';
import { CACHE_CONTROL, entityTag, ifNoneMatchMatches, varyHeader } from './http-cache';

type Context = BaseContext & { reads?: ReadSet };

/**
 * Caching of query answers, in memory and over HTTP:
 * - the answer cache (answer-cache.ts): a query answer built from shoes the read cache can prove current is
 *   served again without executing (POST or GET, anonymous requests);
 * - HTTP caching for GET /graphql (queries by `query=` or by an automatic persisted query's hash): an ETag,
 *   a Cache-Control a CDN can use (http-cache.ts says which and why), and 304 Not Modified when If-None-Match
 *   holds the current tag. The tag is derived from the versions the answer read (versionTag) when it read
 *   only shoes by id, so a kept answer gets its 304 without executing or serializing; other answers (pages,
 *   the log) are tagged by their SHA-256 after execution (entityTag).
 * Only Apollo's response head is touched, so it works the same on any HTTP platform. Requests Apollo refuses
 * before its pipeline (CSRF, a malformed GET) never reach a plugin and carry no Cache-Control; they are 400s,
 * which no cache stores without being told to.
 *
 * Without a read model that proves versions current (`versions` null: READ_CACHE_SIZE=0) nothing is kept and
 * every tag is the answer's hash: a version-derived tag needs the read model's epoch, which only the read cache
 * follows.
 */
export function httpCaching(options: {
  corsEnabled: boolean;
  versions: CurrentVersions | null;
  capacity: number;
  /** Each operation the answer cache could serve: served (true) or executed (false). */
  onLookup?: (hit: boolean) => void;
}): {
  plugin: ApolloServerPlugin<Context>;
  /** For Apollo's `stringifyResult` option: a kept answer's JSON is made once (undefined: Apollo's own). */
  stringifyResult: ((value: FormattedExecutionResult) => string) | undefined;
} {
  const { versions } = options;
  const answers = versions && options.capacity > 0 ? new AnswerCache(options.capacity, versions) : null;
  return {
    plugin: httpCachePlugin(varyHeader(options.corsEnabled), versions, answers, options.onLookup ?? (() => undefined)),
    stringifyResult: answers ? (value) => answers.stringify(value) : undefined,
  };
}

function httpCachePlugin(vary: string, versions: CurrentVersions | null, answers: AnswerCache | null, onLookup: (hit: boolean) => void): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      // 1. The read model's epoch before anything is read: an answer is kept and tagged with the epoch it was
      //    read in, so one read across a rebuild is never served or tagged as of the new one. The ReadSet is made
      //    here, per operation: the context object is shared by a batch's operations, Apollo's clone of it is not.
      const epoch = versions?.epoch ?? null;
      contextValue.reads = new ReadSet();
      const get = request.http?.method === 'GET';
      let key: string | null | undefined; // the answer's key, made once (both hooks need it)
      const keyOf = ({ queryHash }: { queryHash?: string }) =>
        key !== undefined ? key : (key = answerKey(queryHash!, request.operationName, request.variables));
      return {
        // 2. After parsing, validation and the query limits: a kept answer whose versions are current, if any.
        async responseForOperation(requestContext) {
          return answers ? served(requestContext, keyOf, answers, epoch, onLookup) : null;
        },
        // 3. Keep what was executed (when derived from versions), then the HTTP head.
        async willSendResponse(requestContext) {
          const kept = keepable(requestContext, keyOf);
          if (kept?.keep && answers) answers.store(kept.key, kept.answer, kept.read, epoch);
          if (get) answerGet(requestContext, vary, kept && versions ? versionTag({ ...kept, epoch, schema: schemaTag(requestContext.schema) }) : null);
          else requestContext.response.http.headers.set('cache-control', CACHE_CONTROL.none);
        },
      };
    },
  };
}

/** The kept answer for this operation, with its reads replayed into the request's ReadSet (for its tag). */
async function served(
  requestContext: GraphQLRequestContextResponseForOperation<Context>,
  keyOf: (c: { queryHash?: string }) => string | null,
  answers: AnswerCache,
  epoch: string | null,
  onLookup: (hit: boolean) => void,
): Promise<GraphQLResponse | null> {
  const { request, operation, contextValue, response } = requestContext;
  // `operation` is undefined when operationName names none: graphql-js then answers the error itself.
  if (operation?.operation !== 'query' || !contextValue.reads || request.http?.headers.has('authorization') || rootFieldCount(operation) === null) return null;
  const key = keyOf(requestContext); // only now: a mutation's variables (up to 10,000 sizes) are never serialized
  if (key === null) return null;
  const hit = await answers.lookup(key, epoch);
  onLookup(hit !== null);
  if (hit === null) return null;
  hit.read.ids.forEach((id, i) => contextValue.reads!.record(id, hit.read.versions[i]));
  // The head as it stands (Apollo merges the returned head into it: merging it into itself changes nothing).
  return { http: response.http, body: { kind: 'single', singleResult: hit.answer } };
}

/**
 * An error-free query answer derived from versions: every root field read one stream (ReadSet), the variables are
 * small enough for a key. Kept (unless the request carried Authorization) and tagged by its versions.
 */
function keepable(requestContext: GraphQLRequestContextWillSendResponse<Context>, keyOf: (c: { queryHash?: string }) => string | null) {
  const { request, operation, contextValue, response } = requestContext;
  const { body } = response;
  if (operation?.operation !== 'query' || body.kind !== 'single' || body.singleResult.errors?.length || (response.http.status ?? 200) !== 200) return null;
  const read: StreamVersions | null | undefined = contextValue.reads?.versions(rootFieldCount(operation));
  const key = read ? keyOf(requestContext) : null;
  if (!read || key === null) return null;
  return { key, read, answer: body.singleResult, keep: !request.http?.headers.has('authorization') };
}

function answerGet({ request, response }: GraphQLRequestContextWillSendResponse<Context>, vary: string, versionDerivedTag: string | null): void {
  const { headers } = response.http;
  const { body } = response;
  // Errors (a mutation over GET is one: Apollo's 405), partial answers and incremental delivery are not kept.
  if (body.kind !== 'single' || body.singleResult.errors?.length || (response.http.status ?? 200) !== 200) {
    headers.set('cache-control', CACHE_CONTROL.none);
    return;
  }
  // Without versions, hashed as serialized here; Apollo serializes the same result once more to send it (it offers
  // no hook that sees both the request and the string). Deterministic: the result's keys follow the selections.
  const etag = versionDerivedTag ?? entityTag(JSON.stringify(body.singleResult));
  headers.set('etag', etag);
  headers.set('cache-control', request.http!.headers.has('authorization') ? CACHE_CONTROL.authorized : CACHE_CONTROL.anonymous);
  headers.set('vary', vary);
  // A 304 carries the same ETag, Cache-Control and Vary as the 200 would (RFC 9110 §15.4.5), and no body: Node
  // writes none for a 304 whatever it is given. The body is replaced by `{}` all the same: it spares serializing
  // the answer again, and an answer without `data` keeps its 304 should Nest's status-preserving plugin (which sets
  // answers holding `data` back to 200 in this same hook) ever be turned on again (graphql-options.factory.ts).
  // A platform that derives Content-Length from it sends a wrong one on the 304, which caches ignore (RFC 9111 §3.2).
  if (ifNoneMatchMatches(request.http!.headers.get('if-none-match'), etag)) {
    response.http.status = 304;
    response.body = { kind: 'single', singleResult: {} };
  }
}

const schemaTags = new WeakMap<GraphQLSchema, string>();

/** The schema's part of a tag (a new deployment that answers differently tags differently); once per schema. */
function schemaTag(schema: GraphQLSchema): string {
  let tag = schemaTags.get(schema);
  if (tag === undefined) schemaTags.set(schema, (tag = createHash('sha256').update(printSchema(schema)).digest('base64url')));
  return tag;
}
