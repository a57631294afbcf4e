import { Field, ID, InputType, Int } from '@nestjs/graphql';

// Field descriptions state the rule and the error code a broken rule gets (API.md "Errors").

const SHOE_ID = 'The shoe (UUID, any letter case); BAD_USER_INPUT when malformed, NOT_FOUND when no such shoe exists.';
const NAME_RULES =
  'Trimmed, invisible characters removed, NFC: then 1..200 characters, no control characters or line breaks ' +
  '(BAD_USER_INPUT otherwise).';

@InputType('CreateShoeInput', { description: 'A new shoe for createShoe.' })
export class CreateShoeInput {
  @Field({ description: `The name. ${NAME_RULES} CONFLICT when a shoe with the same (brand, name), compared case-insensitively, exists.` })
  name: string;
  @Field(() => String, {
    nullable: true,
    description: 'The brand: at most 100 characters after trimming, same character rules as `name` (BAD_USER_INPUT otherwise); absent or empty means none.',
  })
  brand?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'retry-safe: scoped to the user and this mutation. A retry with the same key appends nothing and returns that shoe as it ' +
      'stands now; the same key with other input gets CONFLICT. At most 200 characters, no NUL or unpaired surrogate (BAD_USER_INPUT otherwise); empty means none.',
  })
  idempotencyKey?: string | null;
}

@InputType('RenameShoeInput', { description: 'A new name for renameShoe; the brand stays.' })
export class RenameShoeInput {
  @Field(() => ID, { description: SHOE_ID }) id: string;
  @Field({
    description: `The new name. ${NAME_RULES} CONFLICT when another shoe of the same brand has it (case-insensitively); the exact current name changes nothing and appends no event.`,
  })
  name: string;
  @Field(() => Int, {
    nullable: true,
    description:
      "CONFLICT (with extensions.currentVersion) when stale: the shoe's `version` this rename is based on; omit to rename whatever the version. " +
      'A positive integer (BAD_USER_INPUT otherwise).',
  })
  expectedVersion?: number | null;
}

@InputType('SubmitTrueToSizeInput', { description: "The signed-in user's fit rating of a shoe for submitTrueToSize." })
export class SubmitTrueToSizeInput {
  @Field(() => ID, { description: SHOE_ID }) shoeId: string;
  @Field(() => Int, {
    description:
      '1 = really small, 3 = true to size, 5 = really big: an integer 1..5 (BAD_USER_INPUT otherwise). Replaces the user\'s current rating; ' +
      'the same value again changes nothing and appends no event.',
  })
  size: number;
}

@InputType('RetractTrueToSizeInput', { description: "Which shoe's rating retractTrueToSize withdraws for the signed-in user." })
export class RetractTrueToSizeInput {
  @Field(() => ID, { description: `${SHOE_ID} With no current rating, nothing changes and no event is appended.` }) shoeId: string;
}

@InputType('ImportTrueToSizesInput', { description: 'Anonymous historic ratings for importTrueToSizes.' })
export class ImportTrueToSizesInput {
  @Field(() => ID, { description: SHOE_ID }) shoeId: string;
  @Field(() => [Int], {
    description: '1..10000 anonymous ratings, each 1..5 (BAD_USER_INPUT otherwise). Each counts as one rating and can never be retracted.',
  })
  sizes: number[];
  @Field(() => String, {
    nullable: true,
    description:
      'Retry-safe, scoped to the user and this mutation: a retry with the same key appends nothing and returns the shoe as it stands now; ' +
      'the same key with other input gets CONFLICT. At most 200 characters, no NUL or unpaired surrogate (BAD_USER_INPUT otherwise); empty means none.',
  })
  idempotencyKey?: string | null;
}
