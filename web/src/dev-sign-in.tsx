import { useEffect, useState } from 'react';

/**
 * One-click sign-in for development: the server has `/dev/token` only outside production (GET answers 200 there,
 * 404 in production), so the buttons show exactly where they work.
 */
export function useDevTokens(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let cancelled = false;
    fetch('/dev/token', { headers: { accept: 'application/json' } })
      .then(async (res) => res.ok && ((await res.json()) as { available?: unknown }).available === true)
      .then((yes) => !cancelled && setAvailable(yes))
      .catch(() => undefined); // no endpoint, no buttons
    return () => {
      cancelled = true;
    };
  }, []);
  return available;
}

export async function mintDevToken(admin: boolean): Promise<string> {
  const res = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: admin ? 'dev-admin' : 'dev-user', admin }),
  });
  if (!res.ok) throw new Error(`POST /dev/token answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export function DevSignIn({ onToken }: { onToken(token: string): void }) {
  const [error, setError] = useState<string | null>(null);
  const signIn = (admin: boolean) => {
    setError(null);
    mintDevToken(admin).then(onToken, () => setError('The development sign-in failed: is the server still in development mode?'));
  };
  return (
    <div className="dev-signin" role="group" aria-label="Development sign-in">
      <span className="hint">Development:</span>
      <button type="button" onClick={() => signIn(false)}>
        Sign in as a user
      </button>
      <button type="button" onClick={() => signIn(true)}>
        Sign in as an admin
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
