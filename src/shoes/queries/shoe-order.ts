/**
 * The public sort orders of `shoes`. A plain enum owned by the query side (which turns each into SQL); the GraphQL
 * layer registers it as the `ShoeOrder` enum (shoe.model.ts), so queries never import the GraphQL layer.
 */
export enum ShoeOrder {
  NAME_ASC = 'NAME_ASC',
  CREATED_AT_DESC = 'CREATED_AT_DESC',
  MOST_RATED = 'MOST_RATED',
}
