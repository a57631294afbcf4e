import { parseArgs } from 'node:util';
import { openCliDatabase } from '../../database/cli-database';
import { rebuildShoeProjections } from './shoe-projection.rebuild';

/**
 * `npm run projections:rebuild [-- --dry-run]`: folds the whole log again and rewrites every read-model
 * row that differs from it, printing each difference. Exit code 0 when the tables already matched the log,
 * 2 when differences were found (and, without --dry-run, repaired).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
  const database = await openCliDatabase();
  try {
    const started = Date.now();
    const report = await rebuildShoeProjections(database.dataSource, { dryRun: values['dry-run'] });
    const seconds = (Date.now() - started) / 1000;
    for (const line of report.differences) process.stdout.write(`difference: ${line}\n`);
    process.stdout.write(
      `rebuilt ${report.shoes} shoes from ${report.events} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(report.events / Math.max(seconds, 0.001))} events/s): ` +
        `${report.differences.length ? `${report.differences.length} differences${values['dry-run'] ? ' (dry run: nothing written)' : ' repaired'}` : 'no difference'}\n`,
    );
    process.exitCode = report.differences.length ? 2 : 0;
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  process.stderr.write(`projections:rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
