/**
 * Thrown from a live subscription's iterator when its consumer fell further behind than its bounded
 * queue allows; the queue is dropped so one slow client cannot hold memory for everyone.
 * `lastPosition` is the position of the last event the consumer received (or the position it started
 * after): subscribing again with `after: lastPosition` resumes with no gap. GraphQL: SUBSCRIPTION_LAGGED.
 */
export class SubscriptionLaggedError extends Error {
  override readonly name = 'SubscriptionLaggedError';
  constructor(readonly lastPosition: string | null) {
    super(`Subscription fell too far behind; resume after ${lastPosition ?? 'the start of the log'}`);
  }
}
