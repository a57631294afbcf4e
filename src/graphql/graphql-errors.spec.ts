import { GraphQLError } from 'graphql';
import { InvalidPositionError } from '../event-store/position';
import { InvalidIdempotencyKey } from '../shoes/commands/idempotency-key';
import { InvalidCursorError } from '../shoes/queries/shoe-cursor';
import { classify, formatGraphQLError } from './graphql-errors';

describe('classify', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['an administrator shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a pool that cannot hand out a connection in time', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ])('calls %s SERVICE_UNAVAILABLE, so clients retry instead of reporting a bug', (_case, error) => {
    expect(classify(error).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('calls anything unknown INTERNAL_SERVER_ERROR', () => {
    expect(classify(new Error('relation "shoes" does not exist')).code).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('classify, rejected input', () => {
  it.each([
    ['a malformed idempotency key', new InvalidIdempotencyKey('must be at most 200 characters')],
    ['a forged shoe cursor', new InvalidCursorError()],
    ['a forged event position', new InvalidPositionError('A'.repeat(90_000))],
  ])('calls %s BAD_USER_INPUT (never an internal error, which logs a stack trace)', (_case, error) => {
    expect(classify(error).code).toBe('BAD_USER_INPUT');
  });
});

describe('formatGraphQLError', () => {
  const format = formatGraphQLError(false);

  it("given an error of graphql-js quoting a 90,000-character variable, then its message is cut to 500 characters", () => {
    const message = `Variable "$first" got invalid value "${'a'.repeat(90_000)}"; Int cannot represent non-integer value`;
    const formatted = format({ message, extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } }));
    expect(formatted.message.length).toBeLessThanOrEqual(500);
    expect(formatted.message).toMatch(/^Variable "\$first" got invalid value "a+… \(truncated\)$/);
    expect(formatted.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('given a short message, then it is left as it is', () => {
    const error = new InvalidCursorError();
    expect(format({ message: error.message }, error)).toMatchObject({ message: error.message, extensions: { code: 'BAD_USER_INPUT' } });
  });
});
