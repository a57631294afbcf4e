import type { ShoeRow } from '../read-model/shoe-row';
import { SharedShoeReads } from './shoe-changes.service';

const row = (id: string, version: number) => ({ id, version }) as ShoeRow;

describe('SharedShoeReads', () => {
  it('given many subscribers of one event, then the shoe is read once', async () => {
    const read = jest.fn(async ({ streamId: id }: { streamId: string }) => row(id, 2));
    const reads = new SharedShoeReads(read);
    const event = { position: 'p2', streamId: 's1', version: 2 };
    const results = await Promise.all(Array.from({ length: 50 }, () => reads.shoeAfter(event)));
    expect(read).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r?.version === 2)).toBe(true);
  });

  it('given a new event of the same shoe, then it is read again (a payload reflects its own event)', async () => {
    let version = 1;
    const read = jest.fn(async ({ streamId: id }: { streamId: string }) => row(id, ++version));
    const reads = new SharedShoeReads(read);
    await reads.shoeAfter({ position: 'p2', streamId: 's1', version: 2 });
    await expect(reads.shoeAfter({ position: 'p3', streamId: 's1', version: 2 })).resolves.toMatchObject({ version: 3 });
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('given a failed read, then the next subscriber reads again', async () => {
    const read = jest.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValue(row('s1', 2));
    const reads = new SharedShoeReads(read);
    const event = { position: 'p2', streamId: 's1', version: 2 };
    await expect(reads.shoeAfter(event)).rejects.toThrow('database down');
    await expect(reads.shoeAfter(event)).resolves.toMatchObject({ version: 2 });
  });

  it('keeps a bounded number of reads', async () => {
    const read = jest.fn(async ({ streamId: id }: { streamId: string }) => row(id, 1));
    const reads = new SharedShoeReads(read, 2);
    for (const position of ['a', 'b', 'c']) await reads.shoeAfter({ position, streamId: 's1', version: 2 });
    await reads.shoeAfter({ position: 'a', streamId: 's1', version: 2 });
    expect(read).toHaveBeenCalledTimes(4);
  });
});
