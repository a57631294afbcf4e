import type { ServerResponse } from 'node:http';
import { type RequestWithId, requestIdMiddleware } from './request-id.middleware';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function run(header?: string | string[]): { requestId: string | undefined; responseHeader: unknown; nextCalled: boolean } {
  const req = { headers: header === undefined ? {} : { 'x-request-id': header } } as RequestWithId;
  const headers: Record<string, unknown> = {};
  const res = { setHeader: (name: string, value: unknown) => (headers[name] = value) } as unknown as ServerResponse;
  let nextCalled = false;
  requestIdMiddleware(req, res, () => (nextCalled = true));
  return { requestId: req.requestId, responseHeader: headers['x-request-id'], nextCalled };
}

describe('requestIdMiddleware', () => {
  it('keeps a safe incoming id and echoes it', () => {
    expect(run('edge-42.a_B')).toEqual({ requestId: 'edge-42.a_B', responseHeader: 'edge-42.a_B', nextCalled: true });
  });

  it('generates a UUID when there is none', () => {
    const { requestId, responseHeader } = run();

    expect(requestId).toMatch(UUID);
    expect(responseHeader).toBe(requestId);
  });

  it.each([
    ['a space', 'abc def'],
    ['a newline (log injection)', 'abc\ninjected'],
    ['an empty value', ''],
    ['129 characters', 'a'.repeat(129)],
    ['markup', '<script>'],
  ])('replaces an unsafe id containing %s', (_label, header) => {
    const { requestId } = run(header);

    expect(requestId).toMatch(UUID);
  });

  it('accepts exactly 128 characters', () => {
    expect(run('a'.repeat(128)).requestId).toBe('a'.repeat(128));
  });

  it('gives different requests different ids', () => {
    expect(run().requestId).not.toBe(run().requestId);
  });
});
