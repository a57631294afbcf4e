import { useMutation } from '@apollo/client/react';
import { FormEvent, useId, useRef, useState } from 'react';
import { describeError } from './errors';
import type { DashboardShoeFieldsFragment } from './gql/graphql';
import { SubmissionKey } from './idempotency-key';
import { DashboardCreateShoeMutation, DashboardImportMutation, DashboardRenameShoeMutation } from './operations';
import { followLink, shoePath } from './router';
import { parseSizes } from './sizes-input';

type Outcome = { text: string; error: boolean; link?: { href: string; label: string } } | null;

function OutcomeLine({ outcome, id }: { outcome: Outcome; id: string }) {
  if (!outcome) return null;
  return (
    <p id={id} role={outcome.error ? 'alert' : 'status'} className={outcome.error ? 'error' : 'ok'} data-testid="form-message">
      {outcome.text}
      {outcome.link && (
        <>
          {' '}
          <a href={outcome.link.href} onClick={followLink}>
            {outcome.link.label}
          </a>
        </>
      )}
    </p>
  );
}

/** Admin: a new shoe (name, brand). The list refreshes so it appears in its place. */
export function CreateShoeForm() {
  const [name, setName] = useState('');
  const [brand, setBrand] = useState('');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [create, { loading }] = useMutation(DashboardCreateShoeMutation, { refetchQueries: ['DashboardShoes'] });
  const submission = useRef(new SubmissionKey());
  const ids = { name: useId(), brand: useId(), outcome: useId() };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { name: name.trim(), brand: brand.trim() || null };
    if (!input.name) {
      setOutcome({ text: 'Give the shoe a name.', error: true });
      return;
    }
    setOutcome(null);
    try {
      const { data } = await create({
        variables: { ...input, idempotencyKey: submission.current.for(JSON.stringify(input)) },
      });
      submission.current.succeeded();
      const shoe = data!.createShoe;
      setName('');
      setBrand('');
      setOutcome({ text: `Created “${shoe.name}”.`, error: false, link: { href: shoePath(shoe.id), label: 'Open its page' } });
    } catch (err) {
      setOutcome({ text: describeError(err), error: true });
    }
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Create a shoe" aria-describedby={outcome ? ids.outcome : undefined}>
      <h2>Create a shoe</h2>
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={ids.brand}>Brand (optional)</label>
        <input id={ids.brand} value={brand} onChange={(e) => setBrand(e.target.value)} maxLength={100} autoComplete="off" />
      </div>
      <button type="submit" disabled={loading}>
        Create shoe
      </button>
      <OutcomeLine outcome={outcome} id={ids.outcome} />
    </form>
  );
}

/** Admin: rename, guarded by the version on screen so a rename made meanwhile by someone else is not overwritten. */
export function RenameShoeForm({ shoe }: { shoe: DashboardShoeFieldsFragment }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [rename, { loading }] = useMutation(DashboardRenameShoeMutation);
  const ids = { name: useId(), outcome: useId() };
  const value = draft ?? shoe.name;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setOutcome(null);
    try {
      const { data } = await rename({ variables: { id: shoe.id, name: value, expectedVersion: shoe.version } });
      setDraft(null);
      setOutcome({ text: `Renamed to “${data!.renameShoe.name}”.`, error: false });
    } catch (err) {
      setOutcome({ text: describeError(err), error: true });
    }
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Rename this shoe" aria-describedby={outcome ? ids.outcome : undefined}>
      <h3>Rename</h3>
      <div className="field">
        <label htmlFor={ids.name}>New name</label>
        <input id={ids.name} value={value} onChange={(e) => setDraft(e.target.value)} maxLength={200} required autoComplete="off" />
      </div>
      <button type="submit" disabled={loading}>
        Rename shoe
      </button>
      <OutcomeLine outcome={outcome} id={ids.outcome} />
    </form>
  );
}

/** Admin: historic anonymous ratings, pasted as "1,2,3,4"; checked here first, then by the server. */
export function ImportSizesForm({ shoe }: { shoe: DashboardShoeFieldsFragment }) {
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [importSizes, { loading }] = useMutation(DashboardImportMutation);
  const submission = useRef(new SubmissionKey());
  const ids = { sizes: useId(), hint: useId(), outcome: useId() };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseSizes(text);
    if (!parsed.ok) {
      setOutcome({ text: parsed.error, error: true });
      return;
    }
    setOutcome(null);
    try {
      const key = submission.current.for(`${shoe.id}:${parsed.sizes.join(',')}`);
      const { data } = await importSizes({ variables: { shoeId: shoe.id, sizes: parsed.sizes, idempotencyKey: key } });
      submission.current.succeeded();
      setText('');
      const n = parsed.sizes.length;
      setOutcome({ text: `Imported ${n} rating${n === 1 ? '' : 's'}; ${data!.importTrueToSizes.trueToSize.count} in all now.`, error: false });
    } catch (err) {
      setOutcome({ text: describeError(err), error: true });
    }
  };

  return (
    <form className="admin-form" onSubmit={submit} aria-label="Import ratings" aria-describedby={outcome ? ids.outcome : undefined}>
      <h3>Import ratings</h3>
      <div className="field">
        <label htmlFor={ids.sizes}>Sizes to import</label>
        <textarea
          id={ids.sizes}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={2}
          placeholder="1,2,3,4"
          aria-describedby={ids.hint}
          spellCheck={false}
          onKeyDown={(e) => {
            // Enter submits, as in a one-line box; Shift+Enter still makes a new line.
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <p className="hint" id={ids.hint}>
          Whole numbers from 1 to 5, separated by commas, spaces or new lines; each counts as one anonymous rating and
          cannot be retracted.
        </p>
      </div>
      <button type="submit" disabled={loading}>
        Import
      </button>
      <OutcomeLine outcome={outcome} id={ids.outcome} />
    </form>
  );
}
