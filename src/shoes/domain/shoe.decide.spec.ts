import type { ShoeCommand } from './shoe.commands';
import { currentRatingOf, decisionStateOf, type Shoe } from './shoe';
import { decide, type ShoeCommandState } from './shoe.decide';
import { create, created, fold, importSizes, OTHER_ID, rename, retract, SHOE_ID, submit, submitted } from './shoe-decider.spec-kit';
import { ShoeAlreadyExists, ShoeNameTaken, ShoeNotFound } from './shoe.errors';

/** The state as the write path loads it for `command`: the shoe, the user's rating, and who holds a name. */
const stateOf = (shoe: Shoe, command: ShoeCommand, nameTakenBy: string | null = null): ShoeCommandState => ({
  shoe: decisionStateOf(shoe),
  nameTakenBy,
  currentSize: 'userId' in command.data ? currentRatingOf(shoe, command.data.userId) : null,
});

describe('decide (the dispatcher over every shoe command)', () => {
  it.each<[string, ShoeCommand, Shoe, unknown[]]>([
    ['CreateShoe', create('Yeezy 350', 'Adidas'), fold(), [{ type: 'ShoeCreated', data: { shoeId: SHOE_ID, name: 'Yeezy 350', brand: 'Adidas' } }]],
    ['RenameShoe', rename('Yeezy 700'), fold(created), [{ type: 'ShoeRenamed', data: { shoeId: SHOE_ID, name: 'Yeezy 700' } }]],
    ['SubmitTrueToSize', submit('u1', 4), fold(created, submitted('u1', 2)), [submitted('u1', 4, 2)]],
    ['RetractTrueToSize', retract('u1'), fold(created, submitted('u1', 2)), [{ type: 'TrueToSizeRetracted', data: { shoeId: SHOE_ID, userId: 'u1', retractedSize: 2 } }]],
    ['ImportTrueToSizes', importSizes([1, 5]), fold(created), [{ type: 'TrueToSizesImported', data: { shoeId: SHOE_ID, sizes: [1, 5] } }]],
  ])('given a %s command and its state, then it decides what the command’s own decide does', (_type, command, shoe, events) => {
    expect(decide(command, stateOf(shoe, command))).toEqual(events);
  });

  it('given a state part the command does not use, then it is ignored (a rating never looks at names)', () => {
    const command = submit('u1', 3);
    expect(decide(command, stateOf(fold(created), command, OTHER_ID))).toEqual([submitted('u1', 3)]);
  });

  it('given the name owner, then create and rename reject a taken name', () => {
    expect(() => decide(create('Yeezy 350', 'Adidas'), stateOf(fold(), create('x'), OTHER_ID))).toThrow(ShoeNameTaken);
    expect(() => decide(rename('Yeezy 700'), stateOf(fold(created), rename('x'), OTHER_ID))).toThrow(ShoeNameTaken);
  });

  it('given the shoe, then each command’s own rules reject (existing or absent)', () => {
    expect(() => decide(create('Yeezy 350'), stateOf(fold(created), create('x')))).toThrow(ShoeAlreadyExists);
    expect(() => decide(retract('u1'), stateOf(fold(), retract('u1')))).toThrow(ShoeNotFound);
  });

  it('given a command type it does not know, then it throws instead of deciding nothing', () => {
    const unknown = { type: 'DeleteShoe', data: { shoeId: SHOE_ID }, metadata: create('x').metadata } as unknown as ShoeCommand;
    expect(() => decide(unknown, stateOf(fold(created), create('x')))).toThrow('unknown shoe command type "DeleteShoe"');
  });
});
