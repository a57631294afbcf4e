import { type OperationDefinitionNode, parse } from 'graphql';
import type { CurrentVersions } from '../event-store/read-set';
import { AnswerCache, answerKey, MAX_STREAMS, MAX_VARIABLES, rootFieldCount, versionTag } from './answer-cache';

const operation = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;

/** A read model whose versions the test sets (null: not provably current). */
class Versions implements CurrentVersions {
  current = new Map<string, number>();
  epoch: string | null = 'e1';
  proven = true;
  async currentVersions(ids: readonly string[]): Promise<readonly number[] | null> {
    if (!this.proven || !ids.every((id) => this.current.has(id))) return null;
    return ids.map((id) => this.current.get(id)!);
  }
}

const answer = (name: string) => ({ data: { shoe: { name } } });
const read = (id: string, version: number) => ({ ids: [id], versions: [version] });

describe('rootFieldCount', () => {
  it('given plain root fields, then counts them, aliases included and __typename not', () => {
    expect(rootFieldCount(operation('{ a: shoe(id: 1) { id } b: shoe(id: 2) { id } __typename }'))).toBe(2);
  });

  it('given fragments or conditions at the root, then it cannot tell (null)', () => {
    expect(rootFieldCount(operation('query { ...F } fragment F on Query { shoe(id: 1) { id } }'))).toBeNull();
    expect(rootFieldCount(operation('query { ... on Query { shoe(id: 1) { id } } }'))).toBeNull();
    expect(rootFieldCount(operation('query($s: Boolean!) { shoe(id: 1) @skip(if: $s) { id } }'))).toBeNull();
  });
});

describe('answerKey', () => {
  it('given the same document, operation and variables, then the same key; any of them differing, another', () => {
    const key = answerKey('h', 'Shoe', { id: 'a' });
    expect(answerKey('h', 'Shoe', { id: 'a' })).toBe(key);
    expect(new Set([key, answerKey('g', 'Shoe', { id: 'a' }), answerKey('h', null, { id: 'a' }), answerKey('h', 'Shoe', { id: 'b' })]).size).toBe(4);
  });

  it('given variables over MAX_VARIABLES characters of JSON, then no key (never kept)', () => {
    expect(answerKey('h', null, { id: 'x'.repeat(MAX_VARIABLES) })).toBeNull();
  });
});

describe('AnswerCache', () => {
  it('given a kept answer, when its versions are still current, then it is served; when one moved, it is not', async () => {
    const versions = new Versions();
    const cache = new AnswerCache(10, versions);
    versions.current.set('a', 3);
    cache.store('k', answer('one'), read('a', 3), 'e1');
    expect((await cache.lookup('k', 'e1'))?.answer).toEqual(answer('one'));
    versions.current.set('a', 4);
    expect(await cache.lookup('k', 'e1')).toBeNull();
  });

  it('given a kept answer, when the versions cannot be proven current or the epoch changed, then it is not served', async () => {
    const versions = new Versions();
    const cache = new AnswerCache(10, versions);
    versions.current.set('a', 3);
    cache.store('k', answer('one'), read('a', 3), 'e1');
    versions.proven = false;
    expect(await cache.lookup('k', 'e1')).toBeNull();
    versions.proven = true;
    expect(await cache.lookup('k', 'e0')).toBeNull(); // the request started in another epoch
    versions.epoch = 'e2'; // a rebuild, learned while the lookup ran
    expect(await cache.lookup('k', 'e1')).toBeNull();
  });

  it('given answers that read an unknown stream (version 0), more than MAX_STREAMS, or no data, then none is kept', async () => {
    const versions = new Versions();
    const cache = new AnswerCache(10, versions);
    const many = Array.from({ length: MAX_STREAMS + 1 }, (_, i) => `s${i}`);
    cache.store('absent', answer('x'), read('a', 0), 'e1');
    cache.store('many', answer('x'), { ids: many, versions: many.map(() => 1) }, 'e1');
    cache.store('errors', { errors: [{ message: 'no' }] }, read('a', 1), 'e1');
    expect(cache.size).toBe(0);
  });

  it('given a full cache, when one more is kept, then the least recently used goes', async () => {
    const versions = new Versions();
    const cache = new AnswerCache(2, versions);
    versions.current.set('a', 1);
    for (const key of ['k1', 'k2']) cache.store(key, answer(key), read('a', 1), 'e1');
    await cache.lookup('k1', 'e1');
    cache.store('k3', answer('k3'), read('a', 1), 'e1');
    expect([await cache.lookup('k1', 'e1'), await cache.lookup('k2', 'e1'), await cache.lookup('k3', 'e1')].map((hit) => hit?.answer ?? null)).toEqual([
      answer('k1'),
      null,
      answer('k3'),
    ]);
  });

  it("stringifies as Apollo does (JSON and a newline), a kept answer's JSON once", () => {
    const cache = new AnswerCache(10, new Versions());
    const kept = answer('one');
    cache.store('k', kept, read('a', 1), 'e1');
    const wrapped = () => ({ errors: undefined, data: kept.data, extensions: undefined }); // what Apollo hands the hook
    const first = cache.stringify(wrapped());
    expect(first).toBe(`${JSON.stringify(kept)}\n`);
    expect(cache.stringify(wrapped())).toBe(first);
    kept.data.shoe.name = 'changed'; // only to show the JSON is the one made first
    expect(cache.stringify(wrapped())).toBe(first);
    expect(cache.stringify({ data: { other: 1 } })).toBe('{"data":{"other":1}}\n');
  });
});

describe('versionTag', () => {
  it('is a strong tag that changes with each input and only with them', () => {
    const base = { schema: 's', key: 'k', epoch: 'e' as string | null, read: read('a', 1) };
    const tag = versionTag(base);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(versionTag({ ...base })).toBe(tag);
    const variants = [{ schema: 't' }, { key: 'j' }, { epoch: null }, { read: read('a', 2) }, { read: read('b', 1) }].map((change) => versionTag({ ...base, ...change }));
    expect(new Set([tag, ...variants]).size).toBe(6);
  });
});
