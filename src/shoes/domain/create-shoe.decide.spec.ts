import { createShoe } from './create-shoe.decide';
import type { ShoeEvent } from './shoe.events';
import { decisionStateOf } from './shoe';
import { create, deciderSpec, OTHER_ID, SHOE_ID, shoeCreated as created } from './shoe-decider.spec-kit';
import { InvalidShoeInput, ShoeAlreadyExists, ShoeNameTaken } from './shoe.errors';

/** `nameTakenBy`: the shoe holding the (brand, name) key of the command's input, if any. */
const given = (events: ShoeEvent[], nameTakenBy: string | null = null) =>
  deciderSpec(createShoe, (shoe) => ({ shoe: decisionStateOf(shoe), nameTakenBy })).given(...events);

describe('createShoe', () => {
  it('creates a shoe', () => {
    given([]).when(create('Air Max 90', 'Nike')).then([created('Air Max 90', 'Nike')]);
  });

  it('records the trimmed name and brand', () => {
    given([]).when(create('  Air Max 90 \n', '\tNike  ')).then([created('Air Max 90', 'Nike')]);
  });

  it('records an empty or white-space brand as null', () => {
    given([]).when(create('Air Max 90', '')).then([created('Air Max 90', null)]);
    given([]).when(create('Air Max 90', '   ')).then([created('Air Max 90', null)]);
    given([]).when(create('Air Max 90', null)).then([created('Air Max 90', null)]);
  });

  it('accepts a 200-character name and a 100-character brand', () => {
    given([]).when(create('n'.repeat(200), 'b'.repeat(100))).then([created('n'.repeat(200), 'b'.repeat(100))]);
  });

  it('rejects an empty, white-space-only or 201-character name', () => {
    const rule = { field: 'name', message: 'name must be 1 to 200 characters after trimming' };
    given([]).when(create('')).thenThrows(InvalidShoeInput, rule);
    given([]).when(create('   ')).thenThrows(InvalidShoeInput, rule);
    given([]).when(create('n'.repeat(201))).thenThrows(InvalidShoeInput, rule);
  });

  it('rejects a name with a line break or control character', () => {
    const rule = { field: 'name', message: 'name must not contain control characters or line breaks' };
    given([]).when(create('Air\nMax')).thenThrows(InvalidShoeInput, rule);
    given([]).when(create('Air\u0000Max')).thenThrows(InvalidShoeInput, rule);
  });

  it('rejects a 101-character brand', () => {
    given([])
      .when(create('Air Max', 'b'.repeat(101)))
      .thenThrows(InvalidShoeInput, { field: 'brand', message: 'brand must be at most 100 characters after trimming' });
  });

  it('rejects a (brand, name) pair another shoe holds, naming that shoe', () => {
    given([], OTHER_ID)
      .when(create(' air max 90 ', 'NIKE'))
      .thenThrows(ShoeNameTaken, { brand: 'NIKE', shoeName: 'air max 90', existingShoeId: OTHER_ID });
  });

  it('rejects an id that already has a shoe', () => {
    given([created('Air Max 90', 'Nike')])
      .when(create('Something Else'))
      .thenThrows(ShoeAlreadyExists, { shoeId: SHOE_ID });
  });

  it('checks the input before any conflict', () => {
    given([created('Air Max 90', 'Nike')], OTHER_ID).when(create('')).thenThrows(InvalidShoeInput, { field: 'name' });
  });
});
