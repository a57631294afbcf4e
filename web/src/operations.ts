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

export const DashboardShoeQuery = graphql(`
  query DashboardShoe($id: ID!) {
    shoe(id: $id) {
      ...DashboardShoeFields
      createdAt
      updatedAt
    }
  }
`);

// One line of a shoe page's event feed; `position` is what the feed resumes from after a dropped connection.
export const DashboardEventFields = graphql(`
  fragment DashboardEventFields on ShoeEvent {
    __typename
    position
    version
    occurredAt
    ... on ShoeCreated {
      name
      brand
    }
    ... on ShoeRenamed {
      name
    }
    ... on TrueToSizeSubmitted {
      size
      previousSize
    }
    ... on TrueToSizeRetracted {
      retractedSize
    }
    ... on TrueToSizesImported {
      sizes
    }
  }
`);

export const DashboardShoeHistoryQuery = graphql(`
  query DashboardShoeHistory($shoeId: ID!, $first: Int!, $after: String) {
    events(shoeId: $shoeId, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...DashboardEventFields
        }
      }
    }
  }
`);

export const DashboardShoeEventsSubscription = graphql(`
  subscription DashboardShoeEvents($shoeId: ID!, $after: String) {
    shoeEvents(shoeId: $shoeId, after: $after) {
      ...DashboardEventFields
    }
  }
`);

export const DashboardCreateShoeMutation = graphql(`
  mutation DashboardCreateShoe($name: String!, $brand: String, $idempotencyKey: String) {
    createShoe(input: { name: $name, brand: $brand, idempotencyKey: $idempotencyKey }) {
      ...DashboardShoeFields
    }
  }
`);

export const DashboardRenameShoeMutation = graphql(`
  mutation DashboardRenameShoe($id: ID!, $name: String!, $expectedVersion: Int) {
    renameShoe(input: { id: $id, name: $name, expectedVersion: $expectedVersion }) {
      ...DashboardShoeFields
    }
  }
`);

export const DashboardImportMutation = graphql(`
  mutation DashboardImport($shoeId: ID!, $sizes: [Int!]!, $idempotencyKey: String) {
    importTrueToSizes(input: { shoeId: $shoeId, sizes: $sizes, idempotencyKey: $idempotencyKey }) {
      ...DashboardShoeFields
    }
  }
`);
