/**
 * One check shared by every caller that asks while it is pending: `afterNow()` resolves with the result of a
 * run of `check` that STARTED after the call (a run already in flight started too early, so its callers wait
 * for the next one, which starts when it ends). So at most one check is in flight, and under load one check
 * serves every read that arrived during the previous one: the technique of Raft's batched ReadIndex.
 * A failed check answers false (not provably current); the caller then reads the database, which reports
 * the failure itself.
 */
export class SharedCheckBarrier {
  private inFlight = false;
  private waiting: ((result: boolean) => void)[] = [];

  constructor(private readonly check: () => Promise<boolean>) {}

  afterNow(): Promise<boolean> {
    if (!this.inFlight) return this.start();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private start(): Promise<boolean> {
    this.inFlight = true;
    // async: a check that throws synchronously fails like one that rejects.
    const run = (async () => this.check())().catch(() => false);
    void run.then(() => {
      this.inFlight = false;
      const waiting = this.waiting;
      if (waiting.length === 0) return;
      this.waiting = [];
      void this.start().then((result) => waiting.forEach((resolve) => resolve(result)));
    });
    return run;
  }
}
