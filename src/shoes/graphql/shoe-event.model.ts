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

@InterfaceType('ShoeEvent', { resolveType: (event: ShoeEventView) => event.__typename })
export abstract class ShoeEventModel {
  @Field({ description: 'opaque cursor, unique; every reader gets events in the same order' }) position: string;
  @Field(() => ID) shoeId: string;
  @Field(() => Int, { description: "the shoe stream's version after this event" }) version: number;
  @Field(() => GraphQLISODateTime) occurredAt: Date;
}

@ObjectType('ShoeCreated', { implements: () => [ShoeEventModel] })
export class ShoeCreatedModel extends ShoeEventModel {
  @Field() name: string;
  @Field(() => String, { nullable: true }) brand: string | null;
}

@ObjectType('ShoeRenamed', { implements: () => [ShoeEventModel] })
export class ShoeRenamedModel extends ShoeEventModel {
  @Field() name: string;
}

@ObjectType('TrueToSizeSubmitted', { implements: () => [ShoeEventModel] })
export class TrueToSizeSubmittedModel extends ShoeEventModel {
  @Field(() => Int) size: number;
  @Field(() => Int, { nullable: true }) previousSize: number | null;
}

@ObjectType('TrueToSizeRetracted', { implements: () => [ShoeEventModel] })
export class TrueToSizeRetractedModel extends ShoeEventModel {
  @Field(() => Int) retractedSize: number;
}

@ObjectType('TrueToSizesImported', { implements: () => [ShoeEventModel] })
export class TrueToSizesImportedModel extends ShoeEventModel {
  @Field(() => [Int]) sizes: number[];
}

@ObjectType('ShoeEventEdge')
export class ShoeEventEdgeModel {
  @Field() cursor: string;
  @Field(() => ShoeEventModel) node: ShoeEventView;
}

@ObjectType('ShoeEventConnection')
export class ShoeEventConnectionModel {
  @Field(() => [ShoeEventEdgeModel]) edges: ShoeEventEdgeModel[];
  @Field(() => PageInfoModel) pageInfo: PageInfoModel;
}
