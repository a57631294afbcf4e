import { ReadSet } from './read-set';

describe('ReadSet', () => {
  it('given each root field recorded one read, then the answer is derived from those versions', () => {
    const reads = new ReadSet();
    reads.record('a', 3);
    reads.record('b', 0);
    expect(reads.versions(2)).toEqual({ ids: ['a', 'b'], versions: [3, 0] });
  });

  it('given a root field that recorded nothing (a page), then the count differs and nothing is derived', () => {
    const reads = new ReadSet();
    reads.record('a', 3);
    expect(reads.versions(2)).toBeNull();
    expect(reads.versions(0)).toBeNull();
  });

  it('given an untracked read or unknown root fields, then nothing is derived', () => {
    const reads = new ReadSet();
    reads.record('a', 3);
    expect(reads.versions(null)).toBeNull();
    reads.untracked();
    expect(reads.versions(1)).toBeNull();
  });
});
