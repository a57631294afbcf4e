/**
 * What one answer was built from, as (stream, version) pairs: the versions an HTTP entity tag and a cached
 * answer are derived from (src/graphql/http-cache.plugin.ts). A version names a stream's content exactly
 * (the read model of a stream at version v is a function of its first v events), so two answers to the same
 * operation and variables that read the same versions are the same answer, on any instance.
 *
 * The contract, for whoever reads on behalf of an answer:
 * - a root field that reads exactly one stream's row records it once (`record`, version 0 for no such stream);
 * - a root field that records nothing (a page, the log) leaves the set incomplete, and so the answer is not
 *   derived from versions at all: `versions(rootFields)` compares the count of records with the operation's
 *   root fields, so a new query that forgets this contract only loses the caching, never serves a stale answer;
 * - a nested field that reads anything besides its parent's row must call `untracked()` (today none does:
 *   every `Shoe` field is a column of the row).
 */
export class ReadSet {
  private readonly ids: string[] = [];
  private readonly read: number[] = [];
  private opaque = false;

  /** One root field read `streamId` at `version` (0: no such stream). */
  record(streamId: string, version: number): void {
    this.ids.push(streamId);
    this.read.push(version);
  }

  /** Something was read that no stream version describes: the answer cannot be derived from versions. */
  untracked(): void {
    this.opaque = true;
  }

  /**
   * The streams and versions, when each of the operation's `rootFields` recorded one read and nothing
   * untracked was read; null otherwise (including rootFields null: an operation whose root fields are unknown).
   */
  versions(rootFields: number | null): StreamVersions | null {
    if (this.opaque || rootFields === null || this.ids.length !== rootFields) return null;
    return { ids: this.ids, versions: this.read };
  }
}

export type StreamVersions = { readonly ids: readonly string[]; readonly versions: readonly number[] };

/**
 * The port a read model offers the GraphQL edge (ShoeReadCache implements it): the current versions of some
 * streams, or null when it cannot prove them current.
 */
export interface CurrentVersions {
  /**
   * The version of each stream, if every one is held in memory and a freshness check that started after this
   * call found nothing committed past them (the guarantee of a read-cache hit); else null.
   */
  currentVersions(ids: readonly string[]): Promise<readonly number[] | null>;
  /** Changes when the read model is rewritten without new versions (a rebuild's repair); part of every tag. */
  readonly epoch: string | null;
}

export const CURRENT_VERSIONS = Symbol('CURRENT_VERSIONS');
