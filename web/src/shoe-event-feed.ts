import type { ApolloClient } from '@apollo/client';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { describeError, sentenceForCode } from './errors';
import type { DashboardEventFieldsFragment, DashboardShoeHistoryQuery as HistoryPage } from './gql/graphql';
import { DashboardShoeEventsSubscription, DashboardShoeHistoryQuery } from './operations';

export type FeedEvent = DashboardEventFieldsFragment;
export type FeedStatus = 'loading' | 'live' | 'reconnecting' | 'failed';
export type FeedState = { events: readonly FeedEvent[]; status: FeedStatus; error: string | null };

/** The feed shows this many of the newest events; older ones are dropped from the screen (the log keeps them). */
export const FEED_SHOWN = 200;
const HISTORY_PAGE = 500;
const RETRY_MS = { first: 250, max: 5000 };
/** A socket that answers no ping within this long counts as dropped (a vanished network sends no close frame). */
const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 5_000;

/**
 * A shoe page's live event feed: the shoe's history from `events(shoeId:)`, then `shoeEvents(shoeId:, after:)` from
 * the position of the last event shown. When the connection drops (or the server ends the subscription, e.g.
 * SUBSCRIPTION_LAGGED), it says "reconnecting" and subscribes again with `after` = the position of the last event it
 * showed, so nothing is missed; positions already shown are ignored, so nothing is shown twice.
 *
 * It has a graphql-ws connection of its own, without a token (subscribing needs none): the shared client re-sends a
 * subscription with the variables it was first given, where this one must choose `after` anew on every reconnect.
 */
export class ShoeEventFeed {
  private events: FeedEvent[] = [];
  private readonly shown = new Set<string>();
  private lastPosition: string | null = null;
  private status: FeedStatus = 'loading';
  private error: string | null = null;
  private stopped = false;
  private retryMs = RETRY_MS.first;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly ws: Client;

  constructor(
    private readonly shoeId: string,
    private readonly apollo: ApolloClient,
    private readonly onChange: (state: FeedState) => void,
    wsUrl: string,
  ) {
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    this.ws = createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: 0, // reconnecting is this class's job: see resubscribeSoon
      keepAlive: PING_EVERY_MS,
      on: {
        connected: () => {
          this.retryMs = RETRY_MS.first;
          this.set('live', null);
        },
        ping: (received) => {
          if (received) return;
          pongTimer = setTimeout(() => this.ws.terminate(), PONG_WITHIN_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: () => clearTimeout(pongTimer),
      },
    });
  }

  async start(): Promise<void> {
    try {
      await this.loadHistory();
    } catch (error) {
      if (this.stopped) return;
      this.set('failed', describeError(error));
      return;
    }
    this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.unsubscribe?.();
    void this.ws.dispose();
  }

  /** Oldest first, page by page: the feed starts after the last event of the shoe's log as it stands now. */
  private async loadHistory(): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const { data }: { data?: HistoryPage } = await this.apollo.query({
        query: DashboardShoeHistoryQuery,
        variables: { shoeId: this.shoeId, first: HISTORY_PAGE, after },
        fetchPolicy: 'no-cache',
      });
      if (this.stopped || !data) return;
      this.add(data.events.edges.map((edge) => edge.node));
      if (!data.events.pageInfo.hasNextPage || !data.events.pageInfo.endCursor) return;
      after = data.events.pageInfo.endCursor;
    }
  }

  private subscribe(): void {
    if (this.stopped) return;
    let ended = false;
    const end = (error: string | null, retry: boolean) => {
      if (ended || this.stopped) return;
      ended = true;
      this.unsubscribe = undefined;
      if (retry) this.resubscribeSoon(error);
      else this.set('failed', error);
    };
    this.unsubscribe = this.ws.subscribe<{ shoeEvents: FeedEvent }>(
      { query: print(DashboardShoeEventsSubscription), variables: { shoeId: this.shoeId, after: this.lastPosition } },
      {
        next: (result) => {
          if (result.data) this.add([result.data.shoeEvents]);
          if (result.errors?.length) end(sentencesOf(result.errors), isResumable(result.errors));
        },
        error: (error) => {
          if (Array.isArray(error)) end(sentencesOf(error), isResumable(error));
          else end(null, true); // the socket closed or could not open: a dropped connection
        },
        // The stream has no end; a completed subscription (e.g. the server shutting down) is resumed like a drop.
        complete: () => end(null, true),
      },
    );
  }

  private resubscribeSoon(error: string | null): void {
    this.set('reconnecting', error);
    const wait = this.retryMs;
    this.retryMs = Math.min(RETRY_MS.max, this.retryMs * 2);
    this.retryTimer = setTimeout(() => this.subscribe(), wait);
  }

  /** Appends events not shown yet, in the order they come (the log's order), and remembers where to resume. */
  private add(incoming: readonly FeedEvent[]): void {
    const fresh = incoming.filter((event) => !this.shown.has(event.position));
    if (fresh.length === 0) return;
    for (const event of fresh) this.shown.add(event.position);
    this.lastPosition = fresh[fresh.length - 1].position;
    this.events = [...this.events, ...fresh].slice(-FEED_SHOWN);
    // The set only needs the positions still on screen: a duplicate can only be a recent event.
    if (this.shown.size > FEED_SHOWN * 2) {
      this.shown.clear();
      for (const event of this.events) this.shown.add(event.position);
    }
    this.emit();
  }

  private set(status: FeedStatus, error: string | null): void {
    if (this.stopped) return;
    this.status = status;
    this.error = error;
    this.emit();
  }

  private emit(): void {
    if (!this.stopped) this.onChange({ events: this.events, status: this.status, error: this.error });
  }
}

type FormattedError = { message: string; extensions?: Record<string, unknown> };

/** Errors after which resubscribing from the last position helps; anything else (a bad shoe id) would fail again. */
function isResumable(errors: readonly FormattedError[]): boolean {
  return errors.every((e) => ['SUBSCRIPTION_LAGGED', 'SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR'].includes(String(e.extensions?.code)));
}

function sentencesOf(errors: readonly FormattedError[]): string {
  return [...new Set(errors.map((e) => sentenceForCode(e.extensions?.code as string | undefined, e.extensions ?? {})))].join(' ');
}
