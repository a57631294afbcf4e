import { retryAfterSeconds } from './token-bucket';

describe('retryAfterSeconds', () => {
  it('given an empty bucket of 3 a minute, then the wait is the 20 s one token takes to refill', () => {
    expect(retryAfterSeconds(0, 3)).toBe(20);
  });

  it('given a bucket partly refilled, then rounds the rest of the wait up, so waiting that long is enough', () => {
    expect(retryAfterSeconds(0.5, 3)).toBe(10);
    expect(retryAfterSeconds(0.0001, 3)).toBe(20);
    expect(retryAfterSeconds(0.51, 3)).toBe(10);
  });

  it('given a fast limit, then never asks for less than one second', () => {
    expect(retryAfterSeconds(0.999, 600)).toBe(1);
    expect(retryAfterSeconds(0, 6000)).toBe(1);
  });
});
