import type { OperationReport } from '../logging/operation-logging.plugin';
import type { MetricsService } from './metrics.service';

/**
 * Counts and times every GraphQL operation over HTTP, by name, type and outcome, from the report the operation
 * logging plugin makes once per operation (one timer, one pass over Apollo's results for both). The outcome is "ok"
 * or the code of the first error (the log line lists them all): one code per series keeps the label to API.md's
 * short list instead of every combination. graphql-ws subscriptions do not pass through Apollo's request pipeline;
 * they show up as tts_subscriptions_active instead.
 */
export function graphqlOperationMetrics(metrics: MetricsService): (report: OperationReport) => void {
  return (report) => metrics.operationFinished(report.operationName, report.operationType, report.codes[0] ?? 'ok', report.elapsedMs / 1000);
}
