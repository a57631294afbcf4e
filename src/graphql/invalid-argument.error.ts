import { untrustedTextProblem } from '../validation/untrusted-text';

/**
 * A malformed argument caught at the edge (id that is no UUID, `first` out of range): BAD_USER_INPUT.
 * The message names the argument and the rule, never the value (which may be 100 KB of anything).
 */
export class InvalidArgumentError extends Error {
  constructor(readonly argument: string, rule: string) {
    super(`${argument} ${rule}`);
    this.name = 'InvalidArgumentError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs, accepted in any letter case and used (and returned) in lower case. */
export function parseId(argument: string, value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError(argument, 'must be a UUID');
  return value.toLowerCase();
}

export function parseFirst(argument: string, value: number | null | undefined, fallback: number, max: number): number {
  const first = value ?? fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) throw new InvalidArgumentError(argument, `must be from 1 to ${max}`);
  return first;
}

/** Free text of a query argument (a search): bounded, and nothing PostgreSQL cannot hold (NUL, lone surrogates). */
export function parseText(argument: string, value: string, maxCharacters: number): string {
  const problem = untrustedTextProblem(value, maxCharacters);
  if (problem) throw new InvalidArgumentError(argument, problem);
  return value;
}
