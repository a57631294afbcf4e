import { SharedCheckBarrier } from './shared-check.barrier';

/** A check whose runs the test settles by hand. */
function manualCheck() {
  const runs: { settle: (ok: boolean) => void; fail: (e: Error) => void }[] = [];
  const check = jest.fn(() => new Promise<boolean>((resolve, reject) => runs.push({ settle: resolve, fail: reject })));
  return { check, runs };
}
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedCheckBarrier', () => {
  it('given no check in flight, when asked, then a check starts at once and answers', async () => {
    const { check, runs } = manualCheck();
    const barrier = new SharedCheckBarrier(check);
    const answer = barrier.afterNow();
    expect(check).toHaveBeenCalledTimes(1);
    runs[0].settle(true);
    await expect(answer).resolves.toBe(true);
  });

  it('given a check in flight, when many ask, then they all wait for ONE next check that starts after it ends', async () => {
    const { check, runs } = manualCheck();
    const barrier = new SharedCheckBarrier(check);
    const first = barrier.afterNow();
    const later = Array.from({ length: 20 }, () => barrier.afterNow());
    expect(check).toHaveBeenCalledTimes(1); // the run in flight started before them: it cannot answer them
    runs[0].settle(true);
    await expect(first).resolves.toBe(true);
    await flush();
    expect(check).toHaveBeenCalledTimes(2);
    runs[1].settle(false);
    await expect(Promise.all(later)).resolves.toEqual(Array(20).fill(false));
  });

  it('given a failing check, then it answers false, and the next call checks again', async () => {
    const { check, runs } = manualCheck();
    const barrier = new SharedCheckBarrier(check);
    const failed = barrier.afterNow();
    runs[0].fail(new Error('database down'));
    await expect(failed).resolves.toBe(false);
    await flush();
    const next = barrier.afterNow();
    expect(check).toHaveBeenCalledTimes(2);
    runs[1].settle(true);
    await expect(next).resolves.toBe(true);
  });

  it('given a check that throws synchronously, then it answers false', async () => {
    const barrier = new SharedCheckBarrier(() => {
      throw new Error('boom');
    });
    await expect(barrier.afterNow()).resolves.toBe(false);
  });
});
