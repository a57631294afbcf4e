import { importTrueToSizes } from './import-true-to-sizes.decide';
import type { FitSize } from './shoe.events';
import { decisionStateOf, evolve, initialShoe } from './shoe';
import { created, deciderSpec, imported, importSizes, SHOE_ID, submitted } from './shoe-decider.spec-kit';
import { InvalidShoeInput, ShoeNotFound } from './shoe.errors';
import { averageOf } from './true-to-size';

const { given } = deciderSpec(importTrueToSizes, (shoe) => ({ shoe: decisionStateOf(shoe) }));

const COUNT_RULE = { field: 'sizes', message: 'sizes must hold 1 to 10000 items' };

describe('importTrueToSizes', () => {
  it('imports the StockX example as one event: 36 / 14 = 2.5714285714285716', () => {
    const stockx: FitSize[] = [1, 2, 2, 3, 2, 3, 2, 2, 3, 4, 2, 5, 2, 3];
    const shoe = given(created).when(importSizes(stockx)).then([imported(...stockx)]);
    expect(shoe).toMatchObject({ version: 2, stats: { count: 14, sum: 36, distribution: [1, 7, 4, 1, 1] } });
    if (shoe.status === 'existing') expect(averageOf(shoe.stats)).toBe(2.5714285714285716);
  });

  it('adds imported ratings to the users\' ones, anonymously', () => {
    const shoe = given(created, submitted('u1', 4)).when(importSizes([4, 4])).then([imported(4, 4)]);
    expect(shoe).toMatchObject({ stats: { count: 3, sum: 12, distribution: [0, 0, 0, 3, 0] }, ratingsByUser: new Map([['u1', 4]]) });
  });

  it('imports duplicates and a second batch as further ratings', () => {
    const shoe = given(created, imported(3)).when(importSizes([3])).then([imported(3)]);
    expect(shoe).toMatchObject({ stats: { count: 2, sum: 6 } });
  });

  it('accepts 1 size and 10000 sizes', () => {
    given(created).when(importSizes([5])).then([imported(5)]);
    const many = Array.from({ length: 10000 }, (_, i) => ((i % 5) + 1) as FitSize);
    const shoe = given(created).when(importSizes(many)).then([imported(...many)]);
    expect(shoe).toMatchObject({ stats: { count: 10000, sum: 30000, distribution: [2000, 2000, 2000, 2000, 2000] } });
  });

  it('rejects 0 sizes and 10001 sizes', () => {
    given(created).when(importSizes([])).thenThrows(InvalidShoeInput, COUNT_RULE);
    given(created).when(importSizes(new Array<number>(10001).fill(3))).thenThrows(InvalidShoeInput, COUNT_RULE);
  });

  it.each([0, 6, -1, 3.5, NaN])('rejects the size %p, naming the first bad index', (bad) => {
    given(created)
      .when(importSizes([3, 4, bad, 7]))
      .thenThrows(InvalidShoeInput, { field: 'sizes', message: 'sizes[2] must be an integer from 1 to 5' });
  });

  it('rejects a hole in a sparse array', () => {
    const sparse = [1, 2, 3];
    delete sparse[1];
    given(created)
      .when(importSizes(sparse))
      .thenThrows(InvalidShoeInput, { field: 'sizes', message: 'sizes[1] must be an integer from 1 to 5' });
  });

  it('does not share the command\'s array with the event', () => {
    const sizes = [1, 2];
    const [event] = importTrueToSizes(importSizes(sizes), { shoe: decisionStateOf(evolve(initialShoe(), created)) });
    sizes.push(5);
    expect(event.data.sizes).toEqual([1, 2]);
  });

  it('rejects a shoe that does not exist', () => {
    given().when(importSizes([3])).thenThrows(ShoeNotFound, { shoeId: SHOE_ID });
  });

  it('checks the sizes before the shoe exists', () => {
    given().when(importSizes([])).thenThrows(InvalidShoeInput, COUNT_RULE);
    given().when(importSizes([9])).thenThrows(InvalidShoeInput, { field: 'sizes' });
  });
});
