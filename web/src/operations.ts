// Every operation of the dashboard. `npm run codegen` (part of `npm run build`) types them from schema.gql into
// ./gql; a field or variable that does not exist in the schema fails `tsc --noEmit -p web` and so the build.
import { graphql } from './gql';

export const DashboardShoeFields = graphql(`
  fragment DashboardShoeFields on Shoe {
    id
    name
    brand
    version
    trueToSize {
      average
      count
      distribution {
        size
        count
      }
    }
  }
`);

export const DashboardShoesQuery = graphql(`
  query DashboardShoes($first: Int!, $after: String, $search: String) {
    shoes(first: $first, after: $after, search: $search, orderBy: NAME_ASC) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...DashboardShoeFields
        }
      }
    }
  }
`);

export const DashboardShoeChangedSubscription = graphql(`
  subscription DashboardShoeChanged {
    shoeChanged {
      ...DashboardShoeFields
    }
  }
`);

export const DashboardRateMutation = graphql(`
  mutation DashboardRate($shoeId: ID!, $size: Int!) {
    submitTrueToSize(input: { shoeId: $shoeId, size: $size }) {
      ...DashboardShoeFields
    }
  }
`);

export const DashboardRetractMutation = graphql(`
  mutation DashboardRetract($shoeId: ID!) {
    retractTrueToSize(input: { shoeId: $shoeId }) {
      ...DashboardShoeFields
    }
  }
`);
