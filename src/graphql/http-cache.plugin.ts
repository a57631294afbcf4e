import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener, GraphQLRequestContextWillSendResponse } from '@apollo/server' with { 'resolution-mode': 'import' };
import { CACHE_CONTROL, entityTag, ifNoneMatchMatches, varyHeader } from './http-cache';

/**
 * HTTP caching for GET /graphql (queries by `query=` or by an automatic persisted query's hash): an ETag and a
 * Cache-Control a CDN can use (http-cache.ts says which and why), and 304 Not Modified when If-None-Match holds
 * the current tag. Only Apollo's response head is touched, so it works the same on any HTTP platform.
 * Requests Apollo refuses before its pipeline (CSRF, a malformed GET) never reach a plugin and carry no
 * Cache-Control; they are 400s, which no cache stores without being told to.
 */
export function httpCachePlugin(options: { corsEnabled: boolean }): ApolloServerPlugin {
  const vary = varyHeader(options.corsEnabled);
  const notCached: GraphQLRequestListener<BaseContext> = {
    async willSendResponse({ response }) {
      response.http.headers.set('cache-control', CACHE_CONTROL.none);
    },
  };
  const getListener: GraphQLRequestListener<BaseContext> = {
    async willSendResponse(requestContext) {
      answerGet(requestContext, vary);
    },
  };
  return {
    async requestDidStart({ request }) {
      return request.http?.method === 'GET' ? getListener : notCached;
    },
  };
}

function answerGet({ request, response }: GraphQLRequestContextWillSendResponse<BaseContext>, vary: string): void {
  const { headers } = response.http;
  const { body } = response;
  // Errors (a mutation over GET is one: Apollo's 405), partial answers and incremental delivery are not kept.
  if (body.kind !== 'single' || body.singleResult.errors?.length || (response.http.status ?? 200) !== 200) {
    headers.set('cache-control', CACHE_CONTROL.none);
    return;
  }
  // Hashed as serialized here; Apollo serializes the same result once more to send it (it offers no hook that
  // sees both the request and the string). Deterministic: the result's keys follow the operation's selections.
  const etag = entityTag(JSON.stringify(body.singleResult));
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
