import { Field, ID, InputType, Int } from '@nestjs/graphql';

@InputType('CreateShoeInput')
export class CreateShoeInput {
  @Field() name: string;
  @Field(() => String, { nullable: true }) brand?: string | null;
  @Field(() => String, { nullable: true, description: 'retry-safe: scoped to the user and this mutation' })
  idempotencyKey?: string | null;
}

@InputType('RenameShoeInput')
export class RenameShoeInput {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => Int, { nullable: true, description: 'CONFLICT (with extensions.currentVersion) when stale' })
  expectedVersion?: number | null;
}

@InputType('SubmitTrueToSizeInput')
export class SubmitTrueToSizeInput {
  @Field(() => ID) shoeId: string;
  @Field(() => Int, { description: '1 = really small, 3 = true to size, 5 = really big' }) size: number;
}

@InputType('RetractTrueToSizeInput')
export class RetractTrueToSizeInput {
  @Field(() => ID) shoeId: string;
}

@InputType('ImportTrueToSizesInput')
export class ImportTrueToSizesInput {
  @Field(() => ID) shoeId: string;
  @Field(() => [Int], { description: '1..10000 anonymous ratings, each 1..5' }) sizes: number[];
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}
