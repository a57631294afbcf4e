/**
 * An append's `expectedVersion` did not match the stream. With the stream locked first (lockStreams)
 * this means the caller decided on stale state, not that it lost a race; the GraphQL layer maps it to
 * a conflict. `actualVersion` is the stream's version as seen right after the failed check.
 */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(details: { streamId: string; expectedVersion: number; actualVersion: number }) {
    super(
      `Stream ${details.streamId} is at version ${details.actualVersion}, expected ${details.expectedVersion}`,
    );
    this.streamId = details.streamId;
    this.expectedVersion = details.expectedVersion;
    this.actualVersion = details.actualVersion;
  }
}
