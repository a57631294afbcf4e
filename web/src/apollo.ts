import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

/**
 * One Apollo Client per token: queries and mutations over HTTP (`Authorization: Bearer …`), subscriptions over
 * graphql-ws on the same `/graphql` path (the token in `connection_init`). Signing in or out builds a new client,
 * so the socket reconnects with the new identity.
 */
export function createApollo(token: string | null, onStatus: (status: LiveStatus) => void): { client: ApolloClient; dispose(): void } {
  const authorization = token ? `Bearer ${token}` : undefined;
  const http = new HttpLink({ uri: '/graphql', headers: authorization ? { authorization } : {} });
  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
  let connectedOnce = false;
  const ws = createClient({
    url: wsUrl,
    connectionParams: () => (authorization ? { authorization } : {}),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connected: () => {
        // After a dropped socket, `shoeChanged` resumes only with new changes: refetch what is on screen so nothing
        // that changed while it was down stays stale.
        if (connectedOnce) void client.refetchQueries({ include: 'active' });
        connectedOnce = true;
        onStatus('live');
      },
      closed: (event) => {
        const code = (event as { code?: number } | undefined)?.code;
        onStatus(code === 4403 ? 'refused' : connectedOnce ? 'reconnecting' : 'connecting');
      },
    },
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(ws),
    http,
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // TrueToSize has no id: a newer one (from a mutation or `shoeChanged`) replaces the older one in place.
        TrueToSize: { merge: true },
        Query: { fields: { shoes: { keyArgs: ['search', 'orderBy', 'after', 'first'] } } },
      },
    }),
  });
  return {
    client,
    dispose: () => {
      void ws.dispose();
      client.stop();
    },
  };
}

/** The claims of a token, read without verifying it (the server verifies), to show who is signed in. */
export function readClaims(token: string): { sub?: string; roles?: string[]; exp?: number } | null {
  try {
    const payload = token.split('.')[1];
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as { sub?: string; roles?: string[]; exp?: number };
  } catch {
    return null;
  }
}
