import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { mintToken } from '../../src/auth/jwt';
import { EventsDocument, EventsQuery } from '../generated/graphql';

export type GraphQLResponse<T> = { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** One GraphQL operation over real HTTP, typed by the documents codegen generated from test/**\/*.graphql. */
export async function gql<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables?: V,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T> & { status: number; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { ...((await res.json()) as GraphQLResponse<T>), status: res.status, headers: res.headers };
}

/** The data of an operation that must succeed; fails the test with the server's errors otherwise. */
export async function gqlOk<T, V>(url: string, document: TypedDocumentNode<T, V>, variables?: V, token?: string): Promise<T> {
  const res = await gql(url, document, variables, { token });
  if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** The error codes of an operation that must fail. */
export async function gqlCodes<T, V>(url: string, document: TypedDocumentNode<T, V>, variables?: V, token?: string): Promise<string[]> {
  const res = await gql(url, document, variables, { token });
  return (res.errors ?? []).map((e) => String(e.extensions?.code));
}

export function token(secret: string, sub: string, roles: string[] = [], expiresInSeconds = 3600): Promise<string> {
  return mintToken({ sub, roles, expiresInSeconds }, secret);
}

export function wsClient(url: string, authorization?: string): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Collects the payloads of one subscription until `until` says stop (or times out with what it has). */
export function collect<T, V>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables: V,
): { items: GraphQLResponse<T>[]; done: Promise<void>; stop(): void; waitFor(n: number, ms?: number): Promise<GraphQLResponse<T>[]> } {
  const items: GraphQLResponse<T>[] = [];
  const waiters: (() => void)[] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve, reject) => {
    stop = client.subscribe<T>(
      { query: print(document), variables: variables as Record<string, unknown> },
      {
        next: (value) => {
          items.push(value as GraphQLResponse<T>);
          waiters.splice(0).forEach((w) => w());
        },
        error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: () => resolve(),
      },
    );
  });
  done.catch(() => undefined);
  const waitFor = async (n: number, ms = 15000) => {
    const deadline = Date.now() + ms;
    while (items.length < n) {
      if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${n} subscription payloads, got ${items.length}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return items;
  };
  return { items, done, stop: () => stop(), waitFor };
}

/**
 * A shoe's log as `events` serves it, once it holds at least `count` events: the log may trail a commit
 * for a moment while older transactions anywhere on the server are still open (API.md), so poll briefly.
 */
export async function logOf(url: string, shoeId: string, count: number, ms = 10000): Promise<EventsQuery['events']['edges']> {
  const deadline = Date.now() + ms;
  for (;;) {
    const edges = (await gqlOk(url, EventsDocument, { shoeId, first: 1000 })).events.edges;
    if (edges.length >= count || Date.now() > deadline) return edges;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
