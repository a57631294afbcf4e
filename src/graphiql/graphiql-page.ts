import { ASSET_PREFIX } from './graphiql-assets';

/**
 * GraphiQL (the maintained successor of GraphQL Playground) with subscriptions over graphql-ws on the same
 * /graphql path. The WebSocket URL is derived from the page's own address, so it works behind any host name.
 */
export function graphiqlPage(): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>true-to-size · GraphiQL</title>
    <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
    <link rel="stylesheet" href="${ASSET_PREFIX}/graphiql.css" />
    <script src="${ASSET_PREFIX}/react.js"></script>
    <script src="${ASSET_PREFIX}/react-dom.js"></script>
    <script src="${ASSET_PREFIX}/graphiql.js"></script>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script>${graphiqlInlineScript()}</script>
  </body>
</html>
`;
}

/**
 * The page's one inline script, kept apart so the Content-Security-Policy can allow exactly it by hash
 * (src/web/security-headers.ts): changing it changes the hash, nothing else to update.
 */
export function graphiqlInlineScript(): string {
  return `
      const url = new URL('/graphql', location.href);
      const subscriptionUrl = url.href.replace(/^http/, 'ws');
      const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl });
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: true }),
      );
    `;
}
