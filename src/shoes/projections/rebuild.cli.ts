import { parseArgs } from 'node:util';
import { openCliDatabase } from '../../database/cli-database';
import { describeHolder, RebuildAlreadyRunningError } from './projection-locks';
import { formatProgress } from './rebuild-progress';
import { rebuildShoeProjections, type RebuildPhase } from './shoe-projection.rebuild';

/**
 * `npm run projections:rebuild [-- --online] [--dry-run] [--wait] [--fresh] [--checkpoint-seconds <n>]`
 * (shoe-projection.rebuild.ts): default, repair the live rows that differ from the log; --online, swap the
 * rebuilt tables in; --dry-run, compare only; --wait, wait for a running rebuild instead of exiting with 3;
 * --fresh, ignore an interrupted run's checkpoint; --checkpoint-seconds, how often to checkpoint (30; 0:
 * after every read). Progress to stderr; differences and the summary to stdout. Exit codes: 0 the tables
 * matched the log; 2 differences found (and, but for --dry-run, repaired or replaced); 3 another rebuild
 * is running; 1 failed.
 */
const EXIT_ANOTHER_REBUILD = 3;

const PHASE_MESSAGES: Record<RebuildPhase, string> = {
  building: 'folding the log into shoes_next and shoe_ratings_next while the service keeps serving',
  built: 'folded; catching up with writers held back',
  comparing: 'comparing the rebuilt tables with the live ones',
  switching: 'switching: the rebuilt tables replace the live ones (writers held back until COMMIT)',
  repairing: 'repairing the live rows that differ (writers held back until COMMIT)',
  done: 'done',
};

async function main(): Promise<void> {
  const flag = { type: 'boolean', default: false } as const;
  const { values } = parseArgs({ options: { 'dry-run': flag, online: flag, wait: flag, fresh: flag, 'checkpoint-seconds': { type: 'string' } } });
  const { online, wait, fresh, 'dry-run': dryRun, 'checkpoint-seconds': checkpointSeconds } = values;
  if (checkpointSeconds !== undefined && !(Number(checkpointSeconds) >= 0)) {
    throw new Error(`--checkpoint-seconds must be a number of seconds, 0 or more (got ${JSON.stringify(checkpointSeconds)})`);
  }
  const database = await openCliDatabase();
  try {
    const started = Date.now();
    const report = await rebuildShoeProjections(database.dataSource, {
      online, dryRun, wait, fresh,
      checkpointIntervalMs: checkpointSeconds === undefined ? undefined : Number(checkpointSeconds) * 1000,
      onWait: (holder) => process.stderr.write(`another rebuild is running (${describeHolder(holder)}); waiting for it to finish\n`),
      onProgress: (progress) => process.stderr.write(`${formatProgress(progress)}\n`),
      onPhase: (phase) => void process.stderr.write(`rebuild: ${PHASE_MESSAGES[phase]}\n`),
    });
    const seconds = (Date.now() - started) / 1000;
    for (const line of report.differences) process.stdout.write(`difference: ${line}\n`);
    const outcome = report.differences.length
      ? `${report.differences.length} differences${dryRun ? ' (dry run: nothing written)' : online ? ' (the rebuilt tables replaced them)' : ' repaired'}`
      : 'no difference';
    const mode = online ? ` online (${report.caughtUpEvents} events caught up, checkpoint ${report.position ?? 'start'})` : '';
    // A resumed run folded only what came after its checkpoint: its rate counts those events.
    const resumed = report.resumedAfter ? ` (resumed from a checkpoint after ${report.resumedAfter} events)` : '';
    process.stdout.write(
      `rebuilt ${report.shoes} shoes from ${report.events} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round((report.events - report.resumedAfter) / Math.max(seconds, 0.001))} events/s)${mode}${resumed}: ${outcome}\n`,
    );
    process.exitCode = report.differences.length ? 2 : 0;
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  if (err instanceof RebuildAlreadyRunningError) {
    process.stderr.write(`projections:rebuild: ${err.message}; nothing done (pass --wait to wait for it)\n`);
    process.exit(EXIT_ANOTHER_REBUILD);
  }
  process.stderr.write(`projections:rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
