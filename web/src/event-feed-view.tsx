import { useApolloClient } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { SIZE_WORDS } from './fit';
import { FEED_SHOWN, type FeedEvent, type FeedState, ShoeEventFeed } from './shoe-event-feed';

const STATUS_TEXT: Record<FeedState['status'], string> = {
  loading: 'Loading the history…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Stopped',
};

/** The shoe's events, newest first, live (see ShoeEventFeed for how it resumes after a dropped connection). */
export function EventFeedView({ shoeId }: { shoeId: string }) {
  const apollo = useApolloClient();
  const [state, setState] = useState<FeedState>({ events: [], status: 'loading', error: null });

  useEffect(() => {
    setState({ events: [], status: 'loading', error: null });
    const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
    const feed = new ShoeEventFeed(shoeId, apollo, setState, wsUrl);
    void feed.start();
    return () => feed.stop();
  }, [shoeId, apollo]);

  const newestFirst = [...state.events].reverse();
  return (
    <section className="feed" aria-labelledby="feed-heading">
      <div className="feed-head">
        <h3 id="feed-heading">Event feed</h3>
        <span className={`badge badge-${state.status}`} role="status" aria-live="polite" data-testid="feed-status">
          {STATUS_TEXT[state.status]}
        </span>
      </div>
      {state.error && (
        <p role="alert" className="error">
          {state.error}
        </p>
      )}
      {state.events.length === 0 && state.status !== 'loading' && <p className="hint">No events yet.</p>}
      <ol className="events" aria-label={`Events of this shoe, newest first (at most ${FEED_SHOWN})`}>
        {newestFirst.map((event) => (
          <li key={event.position} data-testid="feed-event" data-position={event.position} data-version={event.version}>
            <span className="event-text">{describeEvent(event)}</span>
            <span className="event-meta">
              v{event.version} · <time dateTime={event.occurredAt}>{new Date(event.occurredAt).toLocaleString()}</time>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function describeEvent(event: FeedEvent): string {
  switch (event.__typename) {
    case 'ShoeCreated':
      return `Created as “${event.name}”${event.brand ? ` by ${event.brand}` : ''}`;
    case 'ShoeRenamed':
      return `Renamed to “${event.name}”`;
    case 'TrueToSizeSubmitted':
      return event.previousSize == null
        ? `Rated ${event.size} (${SIZE_WORDS[event.size]})`
        : `Rating changed from ${event.previousSize} to ${event.size} (${SIZE_WORDS[event.size]})`;
    case 'TrueToSizeRetracted':
      return `A rating of ${event.retractedSize} was retracted`;
    case 'TrueToSizesImported':
      return `Imported ${event.sizes.length} rating${event.sizes.length === 1 ? '' : 's'}: ${summarize(event.sizes)}`;
    default:
      return 'Changed';
  }
}

function summarize(sizes: readonly number[]): string {
  return sizes.length <= 20 ? sizes.join(', ') : `${sizes.slice(0, 20).join(', ')}, …`;
}
