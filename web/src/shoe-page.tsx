import { useQuery } from '@apollo/client/react';
import { useEffect } from 'react';
import { ImportSizesForm, RenameShoeForm } from './admin-forms';
import { describeError } from './errors';
import { EventFeedView } from './event-feed-view';
import { DashboardShoeQuery } from './operations';
import { followLink } from './router';
import { RateControls, ShoeFigures } from './shoe-figures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `/shoes/<id>`: the shoe's figures, larger, updated live by the app-wide `shoeChanged` subscription (it fills the
 * same cache entry); rating; for admins rename and import; and the shoe's live event feed.
 */
export function ShoePage({ id, signedIn, isAdmin }: { id: string; signedIn: boolean; isAdmin: boolean }) {
  const valid = UUID.test(id);
  const { data, loading, error } = useQuery(DashboardShoeQuery, { variables: { id }, skip: !valid });
  const shoe = data?.shoe;

  useEffect(() => {
    document.title = shoe ? `${shoe.name} — True to size` : 'True to size — live fit ratings';
  }, [shoe]);

  return (
    <main className="shoe-page">
      <p>
        <a href="/" onClick={followLink}>
          ← All shoes
        </a>
      </p>
      {!valid || (data && !shoe) ? (
        <p role="alert" className="error">
          There is no shoe at this address: it may have been mistyped.
        </p>
      ) : error ? (
        <p role="alert" className="error">
          {describeError(error)}
        </p>
      ) : !shoe ? (
        loading && <p>Loading…</p>
      ) : (
        <article className="shoe shoe-detail" data-shoe-id={shoe.id} aria-labelledby="shoe-name">
          <h2 id="shoe-name" tabIndex={-1}>
            {shoe.name}
            {shoe.brand && <span className="brand"> · {shoe.brand}</span>}
          </h2>
          <ShoeFigures shoe={shoe} large />
          <RateControls shoe={shoe} signedIn={signedIn} />
          {isAdmin && (
            <section className="admin" aria-label="Admin">
              <RenameShoeForm shoe={shoe} />
              <ImportSizesForm shoe={shoe} />
            </section>
          )}
          <EventFeedView shoeId={shoe.id} />
        </article>
      )}
    </main>
  );
}
