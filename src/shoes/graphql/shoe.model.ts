import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ShoeOrder } from '../queries/shoe-order';

@ObjectType('SizeBucket')
export class SizeBucketModel {
  @Field(() => Int) size: number;
  @Field(() => Int) count: number;
}

@ObjectType('TrueToSize')
export class TrueToSizeModel {
  @Field(() => Float, { nullable: true, description: 'sum/count of current ratings (plain IEEE double); null when count is 0' })
  average: number | null;
  @Field(() => Int, { description: 'number of current ratings' }) count: number;
  @Field(() => [SizeBucketModel], { description: 'exactly 5 buckets, sizes 1..5 in order, zeros included' })
  distribution: SizeBucketModel[];
}

@ObjectType('Shoe')
export class ShoeModel {
  @Field(() => ID, { description: 'UUID, assigned by the server' }) id: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) brand: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime) updatedAt: Date;
  @Field(() => Int, { description: "events applied to this shoe's stream; 1 after creation" }) version: number;
  @Field(() => TrueToSizeModel) trueToSize: TrueToSizeModel;
}

@ObjectType('PageInfo')
export class PageInfoModel {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'opaque; pass as `after` for the next page' }) endCursor: string | null;
}

@ObjectType('ShoeEdge')
export class ShoeEdgeModel {
  @Field() cursor: string;
  @Field(() => ShoeModel) node: ShoeModel;
}

@ObjectType('ShoeConnection')
export class ShoeConnectionModel {
  @Field(() => [ShoeEdgeModel]) edges: ShoeEdgeModel[];
  @Field(() => PageInfoModel) pageInfo: PageInfoModel;
  @Field(() => Int) totalCount: number;
}

registerEnumType(ShoeOrder, { name: 'ShoeOrder' });
