import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config/app-settings';
import { EventsDocument, EventsQuery, ShoeEventsDocument, ShoeEventsSubscription } from '../generated/graphql';
import { gqlOk, token, wsClient } from '../support/graphql-client';

// graphql-ws wants the query as a string.
const printedShoeEvents = print(ShoeEventsDocument);

/** Shared by the cluster tests: tokens for server processes, the whole log, subscribers that keep positions. */

export type LogEvent = EventsQuery['events']['edges'][number]['node'];
export type Subscriber = {
  events: ShoeEventsSubscription['shoeEvents'][];
  /** When each of `events` arrived (Date.now()), for latency figures. */
  receivedAt: number[];
  /** GraphQL errors delivered as payloads (SUBSCRIPTION_LAGGED arrives this way), then the end. */
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** Set once the subscription completed or failed (transport error: the error). */
  ended: { error?: unknown } | null;
  /** Resolves with the events once `n` arrived; rejects when `ms` pass first or the subscription ends short. */
  waitFor(n: number, ms?: number): Promise<ShoeEventsSubscription['shoeEvents'][]>;
  stop(): void;
};

/** Server processes run with NODE_ENV=test and no JWT_SECRET: they verify tokens with the development secret. */
export const adminToken = () => token(DEVELOPMENT_JWT_SECRET, 'cluster-admin', ['admin']);
export const userToken = (sub: string) => token(DEVELOPMENT_JWT_SECRET, sub);

/** The whole log as `events` serves it, oldest first, page by page (1,000 is the largest page). */
export async function readLog(httpUrl: string, after: string | null = null): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = (await gqlOk(httpUrl, EventsDocument, { first: 1000, after: cursor })).events;
    events.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return events;
    cursor = page.pageInfo.endCursor;
  }
}

/**
 * The log once it holds at least `count` events after `after`: it may trail a commit for a moment while older
 * transactions are still open (API.md), so poll for a while.
 */
export async function readLogUntil(httpUrl: string, count: number, after: string | null = null, ms = 20_000): Promise<LogEvent[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const events = await readLog(httpUrl, after);
    if (events.length >= count || Date.now() > deadline) return events;
    await sleep(100);
  }
}

/** A `shoeEvents` subscriber over graphql-ws that keeps what it receives. */
export function subscribe(wsUrl: string, variables: { after?: string | null; shoeId?: string | null }, clients: Client[]): Subscriber {
  const client = wsClient(wsUrl);
  clients.push(client);
  const subscriber: Subscriber = {
    events: [],
    receivedAt: [],
    errors: [],
    ended: null,
    waitFor: async (n, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (subscriber.events.length < n) {
        if (subscriber.ended) throw new Error(`subscription ended after ${subscriber.events.length} of ${n} events: ${describe(subscriber)}`);
        if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${n} events, got ${subscriber.events.length}: ${describe(subscriber)}`);
        await sleep(20);
      }
      return subscriber.events;
    },
    stop: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe<ShoeEventsSubscription>(
    { query: printedShoeEvents, variables },
    {
      next: (value) => {
        if (value.errors?.length) subscriber.errors.push(...(value.errors as Subscriber['errors']));
        if (value.data?.shoeEvents) {
          subscriber.events.push(value.data.shoeEvents);
          subscriber.receivedAt.push(Date.now());
        }
      },
      error: (error) => {
        // An `error` message hands over its GraphQL errors; a closed socket, its CloseEvent.
        if (Array.isArray(error)) subscriber.errors.push(...(error as Subscriber['errors']));
        subscriber.ended = { error };
      },
      complete: () => (subscriber.ended = {}),
    },
  );
  return subscriber;
}

/**
 * One operation over HTTP that never throws for a GraphQL error: its data, or its error codes. A transport failure
 * (refused, reset, or no answer within `timeoutMs`, which stands for "hangs") rejects.
 */
export async function attempt<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  authorization?: string,
  timeoutMs = 15_000,
): Promise<{ data?: T; codes: string[]; errors: { message: string; extensions?: Record<string, unknown> }[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization: `Bearer ${authorization}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  const errors = body.errors ?? [];
  return { data: body.data ?? undefined, codes: errors.map((e) => String(e.extensions?.code)), errors };
}

/** A temp folder the OS user `postgres` can reach (as root, embedded PostgreSQL runs as that user). */
export function reachableTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // mkdtemp makes it 700
  return dir;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** p50/p95/max of a list of numbers (ms), for the measured numbers the tests report. */
export function percentiles(values: number[]): { p50: number; p95: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN, n: sorted.length };
}

/** Measured numbers go to stderr, where they survive Jest's summary (asserting on timing would be flaky). */
export function report(line: string): void {
  process.stderr.write(`[measured] ${line}\n`);
}

function describe(subscriber: Subscriber): string {
  return JSON.stringify({ errors: subscriber.errors, ended: subscriber.ended && String(subscriber.ended.error ?? 'completed') });
}
