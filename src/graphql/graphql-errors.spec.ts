import { classify } from './graphql-errors';

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
