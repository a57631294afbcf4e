/**
 * The public sort orders of `shoes`. A plain enum owned by the read model, which turns each into SQL (one index
 * each: shoe.loaders.ts); queries and cursors use it, and the GraphQL layer registers it as the `ShoeOrder` enum
 * (shoe.model.ts), so neither the read model nor the queries import the GraphQL layer.
 */
export enum ShoeOrder {
  NAME_ASC = 'NAME_ASC',
  CREATED_AT_DESC = 'CREATED_AT_DESC',
  MOST_RATED = 'MOST_RATED',
}
