import { createHash } from 'node:crypto';
import type { ShoeCommand } from '../domain';
import { InvalidShoeInput } from '../domain';
import { create, importSizes, rename, retract, SHOE_ID, submit } from '../domain/shoe-decider.spec-kit';
import { InvalidIdempotencyKey } from './idempotency-key';
import { planShoeWrite } from './shoe-write-plans';

const hashOf = (input: unknown) => createHash('sha256').update(JSON.stringify(input)).digest('hex');
const existing = { status: 'existing', shoeId: SHOE_ID, name: 'Yeezy 350', brand: 'Adidas', version: 3 } as const;

describe('planShoeWrite', () => {
  it('given a create with a key, then it claims the key (hash of the input as sent) and needs the (brand, name) owner', () => {
    const plan = planShoeWrite(create('  Yeezy 350 ', 'Adidas'), 'order-42');
    expect(plan).toMatchObject({
      streamId: SHOE_ID,
      idempotency: { userId: 'admin-1', mutation: 'createShoe', key: 'order-42', requestHash: hashOf({ name: '  Yeezy 350 ', brand: 'Adidas' }) },
      ratingOf: null,
      groupCommit: false,
    });
    expect(plan.nameKey?.({ status: 'absent' })).toBe('["adidas","yeezy 350"]');
  });

  it('given a rename, then its name key keeps the loaded shoe’s brand', () => {
    const plan = planShoeWrite(rename(' Yeezy 700 '), null);
    expect(plan).toMatchObject({ idempotency: null, ratingOf: null, groupCommit: false });
    expect(plan.nameKey?.(existing)).toBe('["adidas","yeezy 700"]');
    expect(plan.nameKey?.({ status: 'absent' })).toBe('["","yeezy 700"]');
  });

  it.each<[string, ShoeCommand]>([
    ['submit', submit('u1', 3)],
    ['retract', retract('u1')],
  ])('given a rating (%s), then it loads the user’s rating, takes no name, and shares a group commit', (_case, command) => {
    expect(planShoeWrite(command, null)).toMatchObject({ ratingOf: 'u1', nameKey: null, idempotency: null, groupCommit: true });
  });

  it('given an import with a key, then it claims the key with the hash of { shoeId, sizes }', () => {
    expect(planShoeWrite(importSizes([1, 2]), 'import-1')).toMatchObject({
      idempotency: { mutation: 'importTrueToSizes', key: 'import-1', requestHash: hashOf({ shoeId: SHOE_ID, sizes: [1, 2] }) },
      nameKey: null,
      groupCommit: false,
    });
  });

  it('given an upper-case shoe id, then the stream is keyed in lower case', () => {
    const command = { ...submit('u1', 3), data: { shoeId: SHOE_ID.toUpperCase(), userId: 'u1', size: 3 } };
    expect(planShoeWrite(command, null).streamId).toBe(SHOE_ID);
  });

  it('given no key or an empty one, then nothing is claimed', () => {
    expect(planShoeWrite(create('Yeezy 350'), null).idempotency).toBeNull();
    expect(planShoeWrite(create('Yeezy 350'), '').idempotency).toBeNull();
  });

  it('given bad input, then it is refused before any lock or query, the key first, then the brand, then the name', () => {
    const badBrandAndName = create('', 'b'.repeat(101));
    expect(() => planShoeWrite(badBrandAndName, 'k'.repeat(201))).toThrow(InvalidIdempotencyKey);
    expect(() => planShoeWrite(badBrandAndName, null)).toThrow(expect.objectContaining({ field: 'brand' }));
    expect(() => planShoeWrite(create(''), null)).toThrow(expect.objectContaining({ field: 'name' }));
    expect(() => planShoeWrite(rename('\n'), null)).toThrow(InvalidShoeInput);
  });
});
