import { createHash } from 'node:crypto';
import { type FormattedExecutionResult, Kind, type OperationDefinitionNode } from 'graphql';
import type { CurrentVersions, StreamVersions } from '../event-store/read-set';

/**
 * Answers kept per operation + variables (http-cache.plugin.ts applies it), each with the stream versions it
 * was built from (a ReadSet). An answer is served again only while a read model can prove those versions are
 * still the current ones (CurrentVersions: the read cache's freshness check), so it is exactly as fresh as a
 * read-cache hit, and execution (resolvers, the QueryBus, graphql-js) is skipped; its JSON is made once, when it
 * is first sent again (`stringify`, Apollo's stringifyResult hook).
 *
 * Bounded: at most `capacity` answers (LRU), each of at most MAX_STREAMS streams with variables of at most
 * MAX_VARIABLES characters of JSON, so a client sending endless distinct variables only churns the LRU.
 * Entries are never invalidated, only checked on use: an outdated one is replaced by the next execution or
 * evicted.
 */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  /** A kept answer's JSON by its `data` object (null until first needed); gone with the answer. */
  private readonly json = new WeakMap<object, string | null>();

  constructor(
    readonly capacity: number,
    private readonly versions: CurrentVersions,
  ) {}

  /**
   * The kept answer and its versions, if every version is provably current and the read model's epoch is the
   * one the answer was read in (`epoch`: read when the request started); else null (execute it).
   */
  async lookup(key: string, epoch: string | null): Promise<{ answer: FormattedExecutionResult; read: StreamVersions } | null> {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.epoch !== epoch) return null;
    const current = await this.versions.currentVersions(entry.read.ids);
    if (current === null || !sameVersions(current, entry.read.versions) || this.versions.epoch !== epoch) return null;
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps an answer read entirely in `epoch` (the epoch as of the request's start, see lookup). */
  store(key: string, answer: FormattedExecutionResult, read: StreamVersions, epoch: string | null): void {
    // Version 0 (no such stream) is never provably current: the read cache keeps rows, not absences.
    if (this.capacity <= 0 || !answer.data || read.ids.length > MAX_STREAMS || read.versions.includes(0)) return;
    if (this.entries.get(key)?.answer === answer) return; // served from here: already kept
    this.entries.delete(key);
    this.entries.set(key, { answer, read, epoch });
    this.json.set(answer.data, null);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /**
   * Apollo's serialization of a single result (its default: JSON plus a newline), made once per kept answer:
   * Apollo hands this hook a new object around the same `data` each time it sends a kept answer.
   */
  stringify(value: FormattedExecutionResult): string {
    const { data } = value;
    const kept = data && value.errors === undefined && value.extensions === undefined ? this.json.get(data) : undefined;
    if (kept) return kept;
    const json = `${JSON.stringify(value)}\n`;
    if (kept === null) this.json.set(data!, json);
    return json;
  }

  get size(): number {
    return this.entries.size;
  }
}

type Entry = { answer: FormattedExecutionResult; read: StreamVersions; epoch: string | null };

/** Streams one kept answer may have read: `shoe(id)` reads one; a few aliases of it stay cacheable. */
export const MAX_STREAMS = 4;
/** Characters of variables' JSON in a key; longer ones are executed every time. */
export const MAX_VARIABLES = 1024;

/** The key of an answer: the document (Apollo's SHA-256 of the query), the operation, the variables. */
export function answerKey(queryHash: string, operationName: string | null | undefined, variables: unknown): string | null {
  const json = variables === undefined ? '' : JSON.stringify(variables);
  return json.length > MAX_VARIABLES ? null : `${queryHash}\n${operationName ?? ''}\n${json}`;
}

const rootFieldCounts = new WeakMap<OperationDefinitionNode, number | null>();

/**
 * How many root fields an operation has (so a ReadSet can tell that each recorded its read), or null when
 * that cannot be told from the document alone: fragments or @skip/@include at the root. `__typename` is not
 * counted: it reads nothing. Memoized per operation node: Apollo's document cache hands back the same
 * parsed document for the same query text.
 */
export function rootFieldCount(operation: OperationDefinitionNode): number | null {
  let count = rootFieldCounts.get(operation);
  if (count !== undefined) return count;
  count = 0;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) {
      count = null;
      break;
    }
    if (selection.name.value !== '__typename') count++;
  }
  rootFieldCounts.set(operation, count);
  return count;
}

/**
 * A strong entity tag from what the answer is a function of: the schema, the document and operation, the
 * variables, the read model's epoch and the versions read. The same on every instance, and computed without the
 * answer: a kept answer gets its tag without serializing anything. Like the hash of the body it replaces, it is
 * the same for both JSON media types (Vary: Accept keeps them apart in caches).
 */
export function versionTag(parts: { schema: string; key: string; epoch: string | null; read: StreamVersions }): string {
  const hash = createHash('sha256').update(`${parts.schema}\n${parts.key}\n${parts.epoch ?? ''}`);
  for (let i = 0; i < parts.read.ids.length; i++) hash.update(`\n${parts.read.ids[i]}@${parts.read.versions[i]}`);
  return `"${hash.digest('base64url')}"`;
}

function sameVersions(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((version, i) => version === b[i]);
}
