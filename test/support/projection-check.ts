import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { rebuildShoeProjections, RebuildReport } from '../../src/shoes/projections/shoe-projection.rebuild';

/** Folds the whole log again (dry run) and returns what `projections:rebuild` would report, plus the log's size. */
export async function checkProjections(url: string): Promise<RebuildReport & { logSize: number }> {
  const dataSource = await new DataSource(dataSourceOptions(url, 2)).initialize();
  try {
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM events`);
    return { ...(await rebuildShoeProjections(dataSource, { dryRun: true })), logSize: count };
  } finally {
    await dataSource.destroy();
  }
}
