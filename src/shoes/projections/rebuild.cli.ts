import { parseArgs } from 'node:util';
import { openCliDatabase } from '../../database/cli-database';
import { rebuildShoeProjectionsOnline, type OnlineRebuildPhase, type OnlineRebuildReport } from './online-rebuild';
import { describeHolder, RebuildAlreadyRunningError } from './projection-locks';
import { formatProgress } from './rebuild-progress';
import { rebuildShoeProjections, type RebuildReport } from './shoe-projection.rebuild';

/**
 * `npm run projections:rebuild [-- --online] [--dry-run] [--wait] [--fresh] [--checkpoint-seconds <n>]`
 * - default (offline): folds the whole log again and rewrites, in place, every read-model row that differs
 *   from it, printing each difference; writers wait while it compares and repairs (readers do not). It
 *   checkpoints every 30 s, and a run interrupted after a checkpoint is resumed from it by the next one.
 * - --online: rebuilds into new tables while the service keeps serving, then switches to them
 *   (online-rebuild.ts); prints the differences the replaced tables had.
 * - --dry-run: compare only (online: build, compare, drop the new tables).
 * - --wait: when another rebuild runs, wait for it instead of exiting with code 3.
 * - --fresh (offline): start from the beginning of the log even if an interrupted run left a checkpoint.
 * - --checkpoint-seconds <n> (offline): how often to checkpoint (default 30; 0: after every read).
 * Progress goes to stderr at most once per second; differences and the summary to stdout.
 * Exit codes: 0 the tables matched the log; 2 differences found (and, without --dry-run, repaired or
 * replaced); 3 another rebuild is running; 1 failed.
 */
const EXIT_ANOTHER_REBUILD = 3;

const PHASE_MESSAGES: Record<OnlineRebuildPhase, string> = {
  building: 'building shoes_next and shoe_ratings_next from the log while the service keeps serving',
  built: 'first pass done; catching up with what was written meanwhile',
  comparing: 'comparing the rebuilt tables with the live ones',
  switching: 'switching: the rebuilt tables replace the live ones (writers held back until COMMIT)',
  done: 'done',
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      online: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      'checkpoint-seconds': { type: 'string' },
    },
  });
  const dryRun = values['dry-run'];
  const common = {
    dryRun,
    wait: values.wait,
    onWait: (holder: Parameters<typeof describeHolder>[0]) =>
      process.stderr.write(`another rebuild is running (${describeHolder(holder)}); waiting for it to finish\n`),
    onProgress: (progress: Parameters<typeof formatProgress>[0]) => process.stderr.write(`${formatProgress(progress)}\n`),
  };
  const database = await openCliDatabase();
  try {
    const started = Date.now();
    const report: RebuildReport & Partial<OnlineRebuildReport> = values.online
      ? await rebuildShoeProjectionsOnline(database.dataSource, {
          ...common,
          onPhase: (phase) => void process.stderr.write(`rebuild: ${PHASE_MESSAGES[phase]}\n`),
        })
      : await rebuildShoeProjections(database.dataSource, { ...common, fresh: values.fresh, checkpointIntervalMs: checkpointInterval(values['checkpoint-seconds']) });
    const seconds = (Date.now() - started) / 1000;
    for (const line of report.differences) process.stdout.write(`difference: ${line}\n`);
    const outcome = report.differences.length
      ? `${report.differences.length} differences${dryRun ? ' (dry run: nothing written)' : values.online ? ' (the rebuilt tables replaced them)' : ' repaired'}`
      : 'no difference';
    const online =
      report.switchEvents !== undefined
        ? ` online (${report.passes} passes, ${report.caughtUpEvents} events caught up, ${report.switchEvents} applied in the switch, checkpoint ${report.position ?? 'start'})`
        : '';
    // A resumed run folded only what came after its checkpoint: its rate counts those events.
    const resumed = report.resumedAfter ? ` (resumed from a checkpoint after ${report.resumedAfter} events)` : '';
    const folded = report.events - (report.resumedAfter ?? 0);
    process.stdout.write(
      `rebuilt ${report.shoes} shoes from ${report.events} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(folded / Math.max(seconds, 0.001))} events/s)${online}${resumed}: ${outcome}\n`,
    );
    process.exitCode = report.differences.length ? 2 : 0;
  } finally {
    await database.close();
  }
}

function checkpointInterval(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  const n = Number(seconds);
  if (!(n >= 0)) throw new Error(`--checkpoint-seconds must be a number of seconds, 0 or more (got ${JSON.stringify(seconds)})`);
  return n * 1000;
}

main().catch((err) => {
  if (err instanceof RebuildAlreadyRunningError) {
    process.stderr.write(`projections:rebuild: ${err.message}; nothing done (pass --wait to wait for it)\n`);
    process.exit(EXIT_ANOTHER_REBUILD);
  }
  process.stderr.write(`projections:rebuild failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
