import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ShoeOrder } from '../read-model/shoe-order';

// Descriptions are the schema's documentation (GraphiQL's docs pane, codegen comments): what a value means, its
// units and limits, and the errors it can raise, as API.md states them. A test fails on anything left without one.

@ObjectType('SizeBucket', { description: 'How many current ratings of one fit size a shoe has.' })
export class SizeBucketModel {
  @Field(() => Int, { description: 'The fit size, 1..5 (1 = really small, 3 = true to size, 5 = really big).' })
  size: number;
  @Field(() => Int, { description: 'Number of current ratings of this size; 0 when there are none.' })
  count: number;
}

@ObjectType('TrueToSize', {
  description:
    "The TrueToSize calculation of a shoe: the statistics of its current ratings (each signed-in user's current one, " +
    'plus every imported one).',
})
export class TrueToSizeModel {
  @Field(() => Float, {
    nullable: true,
    description:
      'sum/count of current ratings (plain IEEE double, no rounding), between 1 and 5; null when count is 0. ' +
      'Ratings 1,2,2,3,2,3,2,2,3,4,2,5,2,3 give 36 / 14 = 2.5714285714285716.',
  })
  average: number | null;
  @Field(() => Int, { description: 'number of current ratings' }) count: number;
  @Field(() => [SizeBucketModel], { description: 'exactly 5 buckets, sizes 1..5 in order, zeros included' })
  distribution: SizeBucketModel[];
}

@ObjectType('Shoe', { description: 'A sneaker model that shoppers rate for fit. Its fields are the read model (projection) of its event stream.' })
export class ShoeModel {
  @Field(() => ID, { description: 'UUID, assigned by the server; returned in lower case.' }) id: string;
  @Field({ description: 'The name: 1..200 characters, trimmed. Unique with `brand`, compared case-insensitively.' }) name: string;
  @Field(() => String, { nullable: true, description: 'The brand: 1..100 characters, trimmed; null when the shoe has none.' })
  brand: string | null;
  @Field(() => GraphQLISODateTime, { description: 'When the shoe was created (its ShoeCreated event), UTC.' }) createdAt: Date;
  @Field(() => GraphQLISODateTime, { description: 'When the latest event of this shoe (creation, rename or rating change) occurred, UTC.' })
  updatedAt: Date;
  @Field(() => Int, {
    description: "events applied to this shoe's stream; 1 after creation. Pass it as `expectedVersion` to renameShoe to detect concurrent changes.",
  })
  version: number;
  @Field(() => TrueToSizeModel, { description: 'How the shoe fits according to its current ratings.' }) trueToSize: TrueToSizeModel;
}

@ObjectType('PageInfo', { description: 'Where a page of a connection ends, and whether more follow.' })
export class PageInfoModel {
  @Field({ description: 'Whether items follow this page; fetch them with `after: endCursor`.' }) hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'opaque; pass as `after` for the next page. null when the page is empty.' })
  endCursor: string | null;
}

@ObjectType('ShoeEdge', { description: 'One shoe of a page of `shoes`, with its cursor.' })
export class ShoeEdgeModel {
  @Field({ description: 'Opaque; pass as `after` (with the same `orderBy`) to continue after this shoe.' }) cursor: string;
  @Field(() => ShoeModel, { description: 'The shoe.' }) node: ShoeModel;
}

@ObjectType('ShoeConnection', { description: 'A page of shoes, in the requested order.' })
export class ShoeConnectionModel {
  @Field(() => [ShoeEdgeModel], { description: 'The shoes of this page, at most `first`.' }) edges: ShoeEdgeModel[];
  @Field(() => PageInfoModel, { description: 'Where this page ends.' }) pageInfo: PageInfoModel;
  @Field(() => Int, { description: 'Number of shoes matching `search` over all pages (all shoes without a search).' })
  totalCount: number;
}

registerEnumType(ShoeOrder, {
  name: 'ShoeOrder',
  description: 'The order of `shoes`; ties are broken by id, so every order is total.',
  valuesMap: {
    NAME_ASC: { description: 'By name, case-insensitively, A to Z; then by id.' },
    CREATED_AT_DESC: { description: 'By creation time, newest first; then by id.' },
    MOST_RATED: { description: 'By number of current ratings, most first; then by name (case-insensitively), then by id.' },
  },
});
