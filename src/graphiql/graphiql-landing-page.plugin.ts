import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { graphiqlPage } from './graphiql-page';

/** Apollo answers a browser's GET /graphql with its landing page: ours is the offline GraphiQL. */
export function graphiqlLandingPagePlugin(): ApolloServerPlugin {
  const html = graphiqlPage();
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
