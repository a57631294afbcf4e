import { createHash } from 'node:crypto';

/**
 * HTTP caching of GraphQL answers (http-cache.plugin.ts applies it): which answers a browser or a CDN may keep,
 * for how long, and the validator that lets them revalidate cheaply. Pure, so the rules are specified in
 * http-cache.spec.ts and the plugin only reads Apollo's request and response.
 */
export const CACHE_CONTROL = {
  /**
   * An error-free GET query answer without an Authorization header.
   * - `public, s-maxage=1`: a CDN may serve it for one second, so a hot shoe costs the origin about one request
   *   per second per CDN node and URL however many readers it has;
   * - `stale-while-revalidate=2`: then for two more seconds while it fetches the next one in the background, so
   *   readers never wait on that refresh. An anonymous reader through a CDN is thus at most ~3 s behind the
   *   origin. This is live data: to be current, subscribe (`shoeChanged`, `shoeEvents`); a writer reads its
   *   writes because it sends its token (below) or POSTs, which no CDN serves from its cache;
   * - `max-age=0`: browsers keep it but revalidate before each use (with the ETag: a 304 when nothing changed).
   */
  anonymous: 'public, max-age=0, s-maxage=1, stale-while-revalidate=2',
  /**
   * A GET query answer read with an Authorization header (valid or not): no shared cache may store it, and the
   * browser revalidates each use. Today no query depends on the caller, but a viewer's answer must never reach
   * another viewer whatever the schema grows into, and it also keeps read-your-writes for a writer behind a CDN.
   */
  authorized: 'private, no-cache',
  /** Errors, partial answers and anything but a GET query: nobody keeps them. */
  none: 'no-store',
} as const;

/**
 * What a GET answer may differ by for the same URL: `Accept` picks the media type (application/json or
 * application/graphql-response+json, and text/html is GraphiQL), `Authorization` the cache policy above. `Origin`
 * only when CORS is on, because the CORS headers then echo it (this header replaces the one the CORS layer set).
 */
export function varyHeader(corsEnabled: boolean): string {
  return corsEnabled ? 'Accept, Authorization, Origin' : 'Accept, Authorization';
}

/**
 * A strong entity tag: the SHA-256 of the serialized answer, for answers not derived from versions (pages, the
 * log; answer-cache.ts's versionTag serves the rest). Always correct (a changed shoe changes its version and
 * updatedAt, a new shoe a list's totalCount, and so the body), for every query alike. The caveat: it is computed
 * after execution, so a 304 saves the bytes on the wire and the client's parsing, not the server's work.
 */
export function entityTag(serializedAnswer: string): string {
  return `"${createHash('sha256').update(serializedAnswer).digest('base64url')}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison (a CDN that compresses may hand a strong tag back as
 * W/"…"), takes a comma-separated list, and `*` matches any current answer.
 */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}
