import { useQuery, useSubscription } from '@apollo/client/react';
import { FormEvent, useEffect, useId, useRef, useState } from 'react';
import { CreateShoeForm } from './admin-forms';
import type { LiveStatus } from './apollo';
import { readClaims } from './apollo';
import { DevSignIn, useDevTokens } from './dev-sign-in';
import { describeError } from './errors';
import { FIT_THRESHOLDS } from './fit';
import type { DashboardShoeFieldsFragment } from './gql/graphql';
import { DashboardShoeChangedSubscription, DashboardShoesQuery } from './operations';
import { followLink, shoePath, useRoute } from './router';
import { RateControls, ShoeFigures } from './shoe-figures';
import { ShoePage } from './shoe-page';

const PAGE_SIZE = 10;

export function App(props: { token: string | null; onToken(token: string | null): void; live: LiveStatus }) {
  // Every change to any shoe arrives here and lands in Apollo's cache by its id, so each row and the shoe page update
  // in place, whichever page is open.
  const { error: liveError } = useSubscription(DashboardShoeChangedSubscription);
  const route = useRoute();
  const claims = props.token ? readClaims(props.token) : null;
  const isAdmin = !!claims?.roles?.includes('admin') && !isExpired(claims);
  const first = useRef(true);

  // A new page is announced by moving focus to its heading (not on the first load, where focus starts at the top).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('page-heading')?.focus();
    if (route.page !== 'shoe') document.title = 'True to size — live fit ratings';
  }, [route]);

  return (
    <div className="page">
      <header className="top">
        <h1 id="page-heading" tabIndex={-1}>
          <a href="/" onClick={followLink} className="home">
            True to size
          </a>
        </h1>
        <LiveBadge status={props.live} />
      </header>
      <SignIn token={props.token} onToken={props.onToken} />
      {liveError && props.live !== 'refused' && (
        <p role="alert" className="error">
          {describeError(liveError)}
        </p>
      )}
      {route.page === 'shoe' ? (
        <ShoePage id={route.id} signedIn={!!props.token} isAdmin={isAdmin} />
      ) : route.page === 'list' ? (
        <>
          {isAdmin && <CreateShoeForm />}
          <ShoeList signedIn={!!props.token} />
        </>
      ) : (
        <main>
          <p role="alert" className="error">
            There is no page at this address. <a href="/" onClick={followLink}>See all shoes</a>.
          </p>
        </main>
      )}
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

function isExpired(claims: { exp?: number }): boolean {
  return claims.exp != null && claims.exp * 1000 < Date.now();
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
  const devTokens = useDevTokens();
  const claims = token ? readClaims(token) : null;
  if (token) {
    const expired = claims != null && isExpired(claims);
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
      {devTokens && <DevSignIn onToken={onToken} />}
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
  const headingId = useId();
  return (
    <li className="shoe" data-shoe-id={shoe.id} aria-labelledby={headingId}>
      <h2 id={headingId}>
        <a href={shoePath(shoe.id)} onClick={followLink}>
          {shoe.name}
        </a>
        {shoe.brand && <span className="brand"> · {shoe.brand}</span>}
      </h2>
      <ShoeFigures shoe={shoe} />
      <RateControls shoe={shoe} signedIn={signedIn} />
    </li>
  );
}
