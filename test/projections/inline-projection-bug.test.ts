import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import * as projection from '../../src/shoes/read-model/shoe.projection';
import { rebuildShoeProjections } from '../../src/shoes/projections/shoe-projection.rebuild';
import { CreateShoeDocument, ShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * `projections:rebuild --online` finds a bug in the inline projection itself. The online rebuild used to
 * fill its new tables with the inline projection's own code, so a wrong rule there went into both tables
 * alike and the comparison saw nothing; now the new tables are the domain's fold of the log.
 * The bug is planted in this process (the projection module is wrapped; the real one runs until the test
 * swaps in the buggy rule), where both the server and the rebuild under test run.
 */
jest.mock('../../src/shoes/read-model/shoe.projection', () => {
  const actual = jest.requireActual('../../src/shoes/read-model/shoe.projection');
  return { ...actual, projectShoeEvents: jest.fn(actual.projectShoeEvents) };
});
const actual: typeof projection = jest.requireActual('../../src/shoes/read-model/shoe.projection');
const inlineProjection = jest.mocked(projection.projectShoeEvents);

/** The planted bug: a changed rating is counted again without taking the previous one out. */
const forgetsPreviousSize: typeof projection.projectShoeEvents = (events, readBack) =>
  actual.projectShoeEvents(events.map((e) => (e.type === 'TrueToSizeSubmitted' ? { ...e, data: { ...e.data, previousSize: null } } : e)), readBack);

let server: TestServer;
let db: DataSource;

beforeAll(async () => {
  server = await startTestServer();
  db = await new DataSource(dataSourceOptions(server.db.url, 2)).initialize();
});
afterAll(async () => {
  inlineProjection.mockImplementation(actual.projectShoeEvents);
  await db?.destroy();
  await server?.close(); // also checks that the tables equal the fold of the log
});

it('reports and replaces what a wrong inline projection wrote, which re-running that projection could not see', async () => {
  // Given a shoe one user rated 2, projected by the real projection...
  const url = server.httpUrl;
  const admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
  const rater = await token(server.settings.jwtSecret, 'rater');
  const { id } = (await gqlOk(url, CreateShoeDocument, { input: { name: 'Buggy', brand: 'Projection' } }, admin)).createShoe;
  await gqlOk(url, SubmitTrueToSizeDocument, { input: { shoeId: id, size: 2 } }, rater);
  // ...who then changes it to 4 while the inline projection has the bug.
  inlineProjection.mockImplementation(forgetsPreviousSize);
  await gqlOk(url, SubmitTrueToSizeDocument, { input: { shoeId: id, size: 4 } }, rater);
  expect((await gqlOk(url, ShoeDocument, { id })).shoe?.trueToSize.count).toBe(2);

  // When the online rebuild runs, the bug still in place,
  const calls = inlineProjection.mock.calls.length;
  const report = await rebuildShoeProjections(db, { online: true });
  inlineProjection.mockImplementation(actual.projectShoeEvents);

  // then it reports the projection's mistake, column by column, without having run that projection,
  // and the switched tables hold what the log says.
  expect(report.differences).toEqual([
    `shoe ${id}: rating_count is 2, the log says 1`,
    `shoe ${id}: rating_sum is 6, the log says 4`,
    `shoe ${id}: size_2 is 1, the log says 0`,
  ]);
  expect(report.switched).toBe(true);
  expect(inlineProjection.mock.calls.length).toBe(calls);
  expect((await gqlOk(url, ShoeDocument, { id })).shoe?.trueToSize).toMatchObject({ count: 1, average: 4 });
});
