import { createHash } from 'node:crypto';
import { normalizeBrand, normalizeShoeName, shoeNameKey, type ShoeCommand } from '../domain';
import type { ShoeWritePlan } from '../write/shoe-write-plan';
import { checkIdempotencyKey } from './idempotency-key';

/**
 * Each command's plan (see ShoeWritePlan): the locks and loads it needs, declared; and its input checked before
 * any lock or query, in the order the API has always answered (a malformed idempotency key, then a bad brand, then
 * a bad name fail fast with BAD_USER_INPUT). The rest of the input is the domain's decide's to check. Pure.
 * `idempotencyKey` applies to the mutations whose input has one (createShoe, importTrueToSizes).
 */
export function planShoeWrite(command: ShoeCommand, idempotencyKey: string | null): ShoeWritePlan {
  const plan: ShoeWritePlan = { command, streamId: command.data.shoeId.toLowerCase(), idempotency: null, ratingOf: null, nameKey: null, groupCommit: false };
  switch (command.type) {
    case 'CreateShoe': {
      const { name, brand } = command.data;
      const idempotency = claim(command.metadata.userId, 'createShoe', idempotencyKey, { name, brand });
      const nameKey = shoeNameKey(normalizeBrand(brand), normalizeShoeName(name));
      return { ...plan, idempotency, nameKey: () => nameKey };
    }
    case 'RenameShoe': {
      const name = normalizeShoeName(command.data.name);
      // The key keeps the shoe's own brand, known once the shoe is loaded.
      return { ...plan, nameKey: (shoe) => shoeNameKey(shoe.status === 'existing' ? shoe.brand : null, name) };
    }
    case 'SubmitTrueToSize':
    case 'RetractTrueToSize':
      return { ...plan, ratingOf: command.data.userId, groupCommit: true };
    case 'ImportTrueToSizes': {
      const { shoeId, sizes } = command.data;
      return { ...plan, idempotency: claim(command.metadata.userId, 'importTrueToSizes', idempotencyKey, { shoeId, sizes }) };
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown shoe command type ${JSON.stringify((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}

/**
 * The key to remember (checked: throws InvalidIdempotencyKey), with the hash of the request's input that a replay
 * must match. The hashed input is the mutation's input as the client sent it, as stored keys were hashed.
 */
function claim(userId: string, mutation: string, idempotencyKey: string | null, input: unknown): ShoeWritePlan['idempotency'] {
  const key = checkIdempotencyKey(idempotencyKey);
  if (key === null) return null;
  return { userId, mutation, key, requestHash: createHash('sha256').update(JSON.stringify(input)).digest('hex') };
}
