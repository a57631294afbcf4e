import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { FormEvent, useEffect, useId, useState } from 'react';
import type { LiveStatus } from './apollo';
import { readClaims } from './apollo';
import { describeError } from './errors';
import { FIT_THRESHOLDS, fitOf, SIZE_WORDS } from './fit';
import type { DashboardShoeFieldsFragment } from './gql/graphql';
import { DashboardRateMutation, DashboardRetractMutation, DashboardShoeChangedSubscription, DashboardShoesQuery } from './operations';

const PAGE_SIZE = 10;

export function App(props: { token: string | null; onToken(token: string | null): void; live: LiveStatus }) {
  // Every change to any shoe arrives here and lands in Apollo's cache by its id, so each row updates in place.
  const { error: liveError } = useSubscription(DashboardShoeChangedSubscription);
  return (
    <div className="page">
      <header className="top">
        <h1>True to size</h1>
        <LiveBadge status={props.live} />
      </header>
      <SignIn token={props.token} onToken={props.onToken} />
      {liveError && props.live !== 'refused' && (
        <p role="alert" className="error">
          {describeError(liveError)}
        </p>
      )}
      <ShoeList signedIn={!!props.token} />
      <footer className="legend">
        <p>
          Ratings go from 1 (really small) through 3 (true to size) to 5 (really big). The fit label reads the average:
          below {FIT_THRESHOLDS.small} <strong>runs small</strong>, {FIT_THRESHOLDS.small} to {FIT_THRESHOLDS.large}{' '}
          <strong>true to size</strong>, above {FIT_THRESHOLDS.large} <strong>runs large</strong>.
        </p>
      </footer>
    </div>
  );
}

function LiveBadge({ status }: { status: LiveStatus }) {
  const text: Record<LiveStatus, string> = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    refused: 'Live updates refused your token: sign in again',
  };
  return (
    <span className={`badge badge-${status}`} role="status" aria-live="polite" data-testid="live-status">
      {text[status]}
    </span>
  );
}

function SignIn({ token, onToken }: { token: string | null; onToken(token: string | null): void }) {
  const [draft, setDraft] = useState('');
  const inputId = useId();
  const claims = token ? readClaims(token) : null;
  if (token) {
    const expired = claims?.exp != null && claims.exp * 1000 < Date.now();
    return (
      <section className="signin" aria-label="Account">
        <p>
          Signed in as <strong data-testid="signed-in-as">{claims?.sub ?? 'unknown user'}</strong>
          {claims?.roles?.includes('admin') ? ' (admin)' : ''}
          {expired ? ' — this token has expired, paste a new one' : ''}
        </p>
        <button type="button" onClick={() => onToken(null)}>
          Sign out
        </button>
      </section>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = draft.trim().replace(/^Bearer\s+/i, '');
    if (value) onToken(value);
  };
  return (
    <form className="signin" onSubmit={submit} aria-label="Sign in">
      <label htmlFor={inputId}>Access token</label>
      <input
        id={inputId}
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        placeholder="Paste a token from `npm run token -- --sub you`"
      />
      <button type="submit" disabled={!draft.trim()}>
        Sign in
      </button>
      <p className="hint">Browsing needs no token; rating does.</p>
    </form>
  );
}

function ShoeList({ signedIn }: { signedIn: boolean }) {
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]); // cursors[i] = `after` of page i
  const page = cursors.length - 1;
  const searchId = useId();

  // Debounced; only a changed search goes back to page 1 (a no-op must not undo a page turn).
  useEffect(() => {
    const value = draft.trim();
    if (value === search) return;
    const t = setTimeout(() => {
      setSearch(value);
      setCursors([null]);
    }, 250);
    return () => clearTimeout(t);
  }, [draft, search]);

  const { data, previousData, loading, error } = useQuery(DashboardShoesQuery, {
    variables: { first: PAGE_SIZE, after: cursors[page], search: search || null },
  });
  const shoes = (data ?? previousData)?.shoes;

  return (
    <main>
      <div className="search">
        <label htmlFor={searchId}>Search shoes by name or brand</label>
        <input id={searchId} type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. yeezy" />
      </div>
      {error && (
        <p role="alert" className="error">
          {describeError(error)}
        </p>
      )}
      {shoes && (
        <p className="summary" aria-live="polite">
          {shoes.totalCount === 0
            ? search
              ? `No shoe matches “${search}”.`
              : 'No shoes yet.'
            : `${shoes.totalCount} shoe${shoes.totalCount === 1 ? '' : 's'}${search ? ` matching “${search}”` : ''} — page ${page + 1} of ${Math.max(1, Math.ceil(shoes.totalCount / PAGE_SIZE))}`}
        </p>
      )}
      {!shoes && loading && <p>Loading…</p>}
      <ul className="shoes" aria-busy={loading}>
        {shoes?.edges.map(({ node }) => (
          <ShoeRow key={node.id} shoe={node} signedIn={signedIn} />
        ))}
      </ul>
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ← Previous page
        </button>
        <button
          type="button"
          disabled={!shoes?.pageInfo.hasNextPage}
          onClick={() => shoes?.pageInfo.endCursor && setCursors((c) => [...c, shoes.pageInfo.endCursor])}
        >
          Next page →
        </button>
      </nav>
    </main>
  );
}

function ShoeRow({ shoe, signedIn }: { shoe: DashboardShoeFieldsFragment; signedIn: boolean }) {
  const { average, count, distribution } = shoe.trueToSize;
  const fit = fitOf(average);
  const [rate, rating] = useMutation(DashboardRateMutation);
  const [retract, retracting] = useMutation(DashboardRetractMutation);
  const [message, setMessage] = useState<string | null>(null);
  const busy = rating.loading || retracting.loading;
  const headingId = useId();

  const run = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage(done);
    } catch (e) {
      setMessage(describeError(e));
    }
  };
  const error = rating.error ?? retracting.error;

  return (
    <li className="shoe" data-shoe-id={shoe.id} aria-labelledby={headingId}>
      <div className="shoe-head">
        <h2 id={headingId}>
          {shoe.name}
          {shoe.brand && <span className="brand"> · {shoe.brand}</span>}
        </h2>
        <p className={`fit fit-${fit.tone}`} data-testid="fit">
          {fit.label}
        </p>
      </div>
      <div className="figures">
        <p className="average" data-testid="average" title={average == null ? undefined : String(average)}>
          {average == null ? '–' : average.toFixed(2)}
        </p>
        <p className="count" data-testid="count">
          {count} rating{count === 1 ? '' : 's'}
        </p>
        <Distribution buckets={distribution} />
      </div>
      <div className="rate" role="group" aria-label={`Rate the fit of ${shoe.name}`}>
        {[1, 2, 3, 4, 5].map((size) => (
          <button
            key={size}
            type="button"
            disabled={busy}
            aria-label={`Rate ${size}: ${SIZE_WORDS[size]}`}
            title={SIZE_WORDS[size]}
            onClick={() => run(() => rate({ variables: { shoeId: shoe.id, size } }), `Thanks: you rated it ${size} (${SIZE_WORDS[size]}).`)}
          >
            {size}
          </button>
        ))}
        <button
          type="button"
          className="retract"
          disabled={busy}
          onClick={() => run(() => retract({ variables: { shoeId: shoe.id } }), 'Your rating is retracted (if you had one).')}
        >
          Retract my rating
        </button>
      </div>
      {!signedIn && !message && <p className="hint">Sign in to rate.</p>}
      {message && (
        <p role={error ? 'alert' : 'status'} className={error ? 'error' : 'ok'} data-testid="row-message">
          {message}
        </p>
      )}
    </li>
  );
}

function Distribution({ buckets }: { buckets: readonly { size: number; count: number }[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const summary = buckets.map((b) => `${b.size}: ${b.count}`).join(', ');
  return (
    <div className="bars" role="img" aria-label={`Ratings by size: ${summary}`} data-testid="distribution">
      {buckets.map((b) => (
        <div className="bar" key={b.size} title={`${b.count} rated ${b.size} (${SIZE_WORDS[b.size]})`}>
          <span className="bar-count">{b.count}</span>
          <span className="bar-fill" style={{ height: `${Math.round((b.count / max) * 100)}%` }} data-count={b.count} />
          <span className="bar-size">{b.size}</span>
        </div>
      ))}
    </div>
  );
}
