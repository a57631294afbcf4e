import type { GraphQLRequestContextWillSendResponse } from '@apollo/server' with { 'resolution-mode': 'import' };
import { GraphQLError, type OperationDefinitionNode, OperationTypeNode } from 'graphql';
import { AppLogger } from './app-logger.service';
import { createWinstonLogger } from './create-winston-logger';
import { captureStream } from './log-capture.spec-kit';
import { type OperationLogContext, type OperationReport, operationLoggingPlugin } from './operation-logging.plugin';

type RequestContext = GraphQLRequestContextWillSendResponse<OperationLogContext>;

interface FakeRequest {
  operationName?: string | null;
  requestedName?: string;
  operation?: OperationDefinitionNode['operation'];
  errors?: GraphQLError[];
  contextValue?: OperationLogContext;
}

/** Only the fields the plugin reads; the hooks are plain async functions, so they can be driven directly. */
function fakeContext(fake: FakeRequest): RequestContext {
  return {
    request: { operationName: fake.requestedName },
    operationName: fake.operationName,
    operation: fake.operation ? ({ operation: fake.operation } as OperationDefinitionNode) : undefined,
    errors: fake.errors,
    contextValue: fake.contextValue ?? { req: { id: 'req-1' } },
  } as unknown as RequestContext;
}

async function runOperation(
  fake: FakeRequest,
  elapsedMs = 12.34,
  { logLevel = 'info', onFinished }: { logLevel?: 'info' | 'warn'; onFinished?: (report: OperationReport) => void } = {},
): Promise<Record<string, unknown>[]> {
  const out = captureStream();
  const logger = new AppLogger(createWinstonLogger({ logLevel, logFormat: 'json' }, { stream: out.stream }));
  const plugin = operationLoggingPlugin(logger, undefined, onFinished);
  const context = fakeContext(fake);
  const listener = await plugin.requestDidStart!(context);
  jest.advanceTimersByTime(elapsedMs);
  await listener!.willSendResponse!(context);
  return out.lines().map((line) => JSON.parse(line));
}

describe('operationLoggingPlugin', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs one line with name, type, duration, outcome and request id', async () => {
    const lines = await runOperation({ operationName: 'ShoeById', operation: OperationTypeNode.QUERY }, 12.34);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      context: 'GraphQL',
      message: 'query ShoeById ok in 12.3 ms',
      operationName: 'ShoeById',
      operationType: 'query',
      durationMs: 12.3,
      outcome: 'ok',
      requestId: 'req-1',
    });
  });

  it('names an unnamed operation "anonymous"', async () => {
    const [line] = await runOperation({ operationName: null, operation: OperationTypeNode.MUTATION });

    expect(line).toMatchObject({ operationName: 'anonymous', operationType: 'mutation' });
  });

  it('does not log a requested operation name that is not a GraphQL name', async () => {
    const [line] = await runOperation({ requestedName: 'Evil\nline', errors: [new GraphQLError('x', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] });

    expect(line).toMatchObject({ operationName: 'anonymous', operationType: 'unknown', outcome: 'GRAPHQL_PARSE_FAILED' });
  });

  it('gives the error codes, once each, as the outcome, at info level', async () => {
    const errors = ['BAD_USER_INPUT', 'NOT_FOUND', 'BAD_USER_INPUT'].map((code) => new GraphQLError('no', { extensions: { code } }));

    const [line] = await runOperation({ operationName: 'SubmitTrueToSize', operation: OperationTypeNode.MUTATION, errors });

    expect(line).toMatchObject({ level: 'info', outcome: 'BAD_USER_INPUT,NOT_FOUND' });
    expect(line).not.toHaveProperty('stack');
  });

  it('logs an internal error at error level with the original stack', async () => {
    const original = new Error('connection reset');
    const errors = [new GraphQLError('connection reset', { originalError: original })];

    const [line] = await runOperation({ operationName: 'Shoes', operation: OperationTypeNode.QUERY, errors });

    expect(line).toMatchObject({ level: 'error', outcome: 'INTERNAL_SERVER_ERROR', error: 'connection reset', stack: original.stack });
  });

  it('logs without a request id when the context has no request (e.g. a test executing operations directly)', async () => {
    const [line] = await runOperation({ operationName: 'Shoes', operation: OperationTypeNode.QUERY, contextValue: {} });

    expect(line).not.toHaveProperty('requestId');
  });

  it('hands the same report to onFinished (the metrics): name, type, codes once each, elapsed time', async () => {
    const reports: OperationReport[] = [];
    const errors = ['NOT_FOUND', 'BAD_USER_INPUT', 'NOT_FOUND'].map((code) => new GraphQLError('no', { extensions: { code } }));

    await runOperation({ operationName: 'RenameShoe', operation: OperationTypeNode.MUTATION, errors }, 7, { onFinished: (r) => reports.push(r) });

    expect(reports).toEqual([{ operationName: 'RenameShoe', operationType: 'mutation', codes: ['NOT_FOUND', 'BAD_USER_INPUT'], elapsedMs: 7 }]);
  });

  it('below the info level writes no line but still reports, and still logs an internal error', async () => {
    const reports: OperationReport[] = [];
    const onFinished = (r: OperationReport) => reports.push(r);

    const quiet = await runOperation({ operationName: 'Shoes', operation: OperationTypeNode.QUERY }, 1, { logLevel: 'warn', onFinished });
    const failed = await runOperation({ operationName: 'Shoes', operation: OperationTypeNode.QUERY, errors: [new GraphQLError('boom')] }, 1, { logLevel: 'warn', onFinished });

    expect(quiet).toEqual([]);
    expect(failed).toEqual([expect.objectContaining({ level: 'error', outcome: 'INTERNAL_SERVER_ERROR' })]);
    expect(reports.map((r) => r.codes)).toEqual([[], ['INTERNAL_SERVER_ERROR']]);
  });
});
