import { useMutation } from '@apollo/client/react';
import { useId, useState } from 'react';
import { describeError } from './errors';
import { fitOf, SIZE_WORDS } from './fit';
import type { DashboardShoeFieldsFragment } from './gql/graphql';
import { DashboardRateMutation, DashboardRetractMutation } from './operations';

/** A shoe's TrueToSize as the list row and (larger) the shoe page show it: average, fit label, count, 5 bars. */
export function ShoeFigures({ shoe, large = false }: { shoe: DashboardShoeFieldsFragment; large?: boolean }) {
  const { average, count, distribution } = shoe.trueToSize;
  const fit = fitOf(average);
  return (
    <div className={large ? 'figures figures-large' : 'figures'}>
      <p className="average" data-testid="average" title={average == null ? undefined : String(average)}>
        {average == null ? '–' : average.toFixed(2)}
      </p>
      <p className={`fit fit-${fit.tone}`} data-testid="fit">
        {fit.label}
      </p>
      <p className="count" data-testid="count">
        {count} rating{count === 1 ? '' : 's'}
      </p>
      <Distribution buckets={distribution} />
    </div>
  );
}

export function Distribution({ buckets }: { buckets: readonly { size: number; count: number }[] }) {
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

/** Rate 1..5 (again to change it) and retract, with the outcome or the error as a sentence. */
export function RateControls({ shoe, signedIn }: { shoe: DashboardShoeFieldsFragment; signedIn: boolean }) {
  const [rate, rating] = useMutation(DashboardRateMutation);
  const [retract, retracting] = useMutation(DashboardRetractMutation);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const busy = rating.loading || retracting.loading;
  const messageId = useId();

  const run = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage({ text: done, error: false });
    } catch (e) {
      setMessage({ text: describeError(e), error: true });
    }
  };

  return (
    <>
      <div className="rate" role="group" aria-label={`Rate the fit of ${shoe.name}`}>
        {[1, 2, 3, 4, 5].map((size) => (
          <button
            key={size}
            type="button"
            disabled={busy}
            aria-label={`Rate ${size}: ${SIZE_WORDS[size]}`}
            aria-describedby={message ? messageId : undefined}
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
        <p id={messageId} role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'ok'} data-testid="row-message">
          {message.text}
        </p>
      )}
    </>
  );
}
