import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service';
import type { ShoeRow } from '../read-model/shoe-row';
import type { ShoeWritePlan } from './shoe-write-plan';
import { ShoeWritePipeline } from './shoe-write-pipeline';

type Pending = { plan: ShoeWritePlan; resolve: (shoe: ShoeRow) => void; reject: (error: unknown) => void };

/**
 * Group commit for ratings, the service's hot write: concurrent submit/retract commands (to any shoes) share
 * one transaction of the write pipeline, so a burst of N ratings costs a handful of statements and one commit
 * instead of N of each. This class only batches and schedules; the steps are ShoeWritePipeline's.
 *
 * Batching is natural, not timed: a batch starts as soon as a connection slot is free and takes whatever
 * queued meanwhile (at most `maxCommands`), so a lone rating never waits and a busy instance fills batches.
 * Every guarantee of a command run alone holds per command:
 * - one command's rejection (unknown shoe, bad size) rejects only that command (the pipeline settles it alone);
 * - an unexpected database error fails the batch, which then retries each command in a transaction of its
 *   own, so it fails only the command that causes it (the "or equivalent" of a savepoint per command);
 * - a batch holds at most one rating per shoe (takeBatch), so each answer is the shoe right after its own
 *   write; further ratings of that shoe wait for a later batch.
 * Other commands (create, rename, import) run alone: rare, and they take locks on names and idempotency keys
 * that would hold a whole batch back.
 */
@Injectable()
export class RatingGroupCommit {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxCommands: number;
  private readonly concurrency: number;

  constructor(
    private readonly pipeline: ShoeWritePipeline,
    config: AppConfigService,
  ) {
    // The settings' own defaults (config.schema.ts) apply; ConfigModule is global, so the service is always there.
    ({ maxCommands: this.maxCommands, concurrency: this.concurrency } = config.settings.writeGroup);
  }

  /** Resolves with the shoe as it stands after the batch that carried this command committed. */
  run(plan: ShoeWritePlan): Promise<ShoeRow> {
    return new Promise((resolve, reject) => {
      this.queue.push({ plan, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.commitOrSplit(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /**
   * The oldest queued commands, at most one per shoe: each command must answer with the shoe as its own write
   * left it (its `version` is its event's), which a second rating of the same shoe in the batch would move on.
   * Later ratings of a shoe wait for the next batch, in arrival order.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const shoes = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.maxCommands; ) {
      const { streamId } = this.queue[i].plan;
      if (shoes.has(streamId)) {
        i += 1;
        continue;
      }
      shoes.add(streamId);
      batch.push(...this.queue.splice(i, 1));
    }
    return batch;
  }

  private async commitOrSplit(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.pipeline.run(batch.map((p) => p.plan));
      // Committed: answer every command (a rejected one with its own domain error).
      outcomes.forEach((outcome, i) => ('error' in outcome ? batch[i].reject(outcome.error) : batch[i].resolve(outcome.shoe)));
    } catch (error) {
      // A statement failed (nothing of the batch was written). Alone, each command either succeeds or fails
      // by itself. Connection-level failures (database down) are not retried: they would fail again N times.
      if (batch.length === 1 || !(error instanceof QueryFailedError)) {
        for (const p of batch) p.reject(error);
        return;
      }
      for (const p of batch) await this.commitOrSplit([p]);
    }
  }
}
