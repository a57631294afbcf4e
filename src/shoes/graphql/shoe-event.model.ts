import { Field, GraphQLISODateTime, ID, Int, InterfaceType, ObjectType } from '@nestjs/graphql';
import { PageInfoModel } from './shoe.model';
import type { ShoeEventType } from '../domain/shoe.events';

/** What the resolvers hand to GraphQL for one event: the envelope plus the event's public fields. */
export type ShoeEventView = {
  __typename: ShoeEventType;
  position: string;
  shoeId: string;
  version: number;
  occurredAt: Date;
  [field: string]: unknown;
};

@InterfaceType('ShoeEvent', {
  description:
    "One change appended to a shoe's stream in the event log. The concrete type says what changed; who rated is never exposed.",
  resolveType: (event: ShoeEventView) => event.__typename,
})
export abstract class ShoeEventModel {
  @Field({
    description: 'opaque cursor, unique; every reader gets events in the same order. Pass it as `after` to `events` or `shoeEvents` to continue after this event.',
  })
  position: string;
  @Field(() => ID, { description: 'The shoe whose stream holds this event (UUID, lower case).' }) shoeId: string;
  @Field(() => Int, { description: "the shoe stream's version after this event" }) version: number;
  @Field(() => GraphQLISODateTime, { description: 'When the change was made (the time of the mutation that caused it), UTC.' })
  occurredAt: Date;
}

@ObjectType('ShoeCreated', { implements: () => [ShoeEventModel], description: 'A shoe was created (createShoe); always version 1 of its stream.' })
export class ShoeCreatedModel extends ShoeEventModel {
  @Field({ description: 'The name the shoe was created with.' }) name: string;
  @Field(() => String, { nullable: true, description: 'The brand the shoe was created with; null for none.' }) brand: string | null;
}

@ObjectType('ShoeRenamed', { implements: () => [ShoeEventModel], description: 'A shoe was renamed (renameShoe); its brand is unchanged.' })
export class ShoeRenamedModel extends ShoeEventModel {
  @Field({ description: 'The new name.' }) name: string;
}

@ObjectType('TrueToSizeSubmitted', {
  implements: () => [ShoeEventModel],
  description: "A signed-in user rated the shoe's fit (submitTrueToSize), first or replacing their earlier rating.",
})
export class TrueToSizeSubmittedModel extends ShoeEventModel {
  @Field(() => Int, { description: 'The rating, 1..5 (1 = really small, 3 = true to size, 5 = really big).' }) size: number;
  @Field(() => Int, { nullable: true, description: "The user's rating it replaced (it left the statistics), 1..5; null for a first rating." })
  previousSize: number | null;
}

@ObjectType('TrueToSizeRetracted', { implements: () => [ShoeEventModel], description: 'A signed-in user withdrew their rating (retractTrueToSize).' })
export class TrueToSizeRetractedModel extends ShoeEventModel {
  @Field(() => Int, { description: 'The rating that left the statistics, 1..5.' }) retractedSize: number;
}

@ObjectType('TrueToSizesImported', {
  implements: () => [ShoeEventModel],
  description: 'An admin imported anonymous historic ratings (importTrueToSizes); they can never be retracted.',
})
export class TrueToSizesImportedModel extends ShoeEventModel {
  @Field(() => [Int], { description: '1..10000 ratings, each 1..5; each counts as one rating.' }) sizes: number[];
}

@ObjectType('ShoeEventEdge', { description: 'One event of a page of `events`, with its cursor.' })
export class ShoeEventEdgeModel {
  @Field({ description: "The event's position; pass as `after` to continue after this event." }) cursor: string;
  @Field(() => ShoeEventModel, { description: 'The event.' }) node: ShoeEventView;
}

@ObjectType('ShoeEventConnection', { description: 'A page of the event log, oldest first.' })
export class ShoeEventConnectionModel {
  @Field(() => [ShoeEventEdgeModel], { description: 'The events of this page in log order, at most `first`.' }) edges: ShoeEventEdgeModel[];
  @Field(() => PageInfoModel, { description: 'Where this page ends.' }) pageInfo: PageInfoModel;
}
