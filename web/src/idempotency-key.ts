/**
 * Idempotency keys for createShoe and importTrueToSizes: one per form submission, kept while the same input is
 * retried (after a network error the first attempt may have landed; the server replays it instead of importing
 * twice), and dropped after a success or an edit, so the next submission is a new one.
 */
export class SubmissionKey {
  private pending: { input: string; key: string } | null = null;

  /** The key for submitting `input` (any string that identifies the form's content). */
  for(input: string): string {
    if (this.pending?.input !== input) this.pending = { input, key: newKey() };
    return this.pending.key;
  }

  /** The submission went through: the next one, even with the same input, is a new import. */
  succeeded(): void {
    this.pending = null;
  }
}

/** crypto.randomUUID exists only in secure contexts (https, localhost); a LAN address over http still has getRandomValues. */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
