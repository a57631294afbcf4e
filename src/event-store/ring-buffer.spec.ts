import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items in order and returns what it evicts', () => {
    const buffer = new RingBuffer<number>(3);
    expect([1, 2, 3].map((n) => buffer.push(n))).toEqual([undefined, undefined, undefined]);
    expect(buffer.push(4)).toBe(1);
    expect(buffer.push(5)).toBe(2);
    expect([0, 1, 2].map((i) => buffer.at(i))).toEqual([3, 4, 5]);
    expect(() => buffer.at(3)).toThrow(RangeError);
  });

  it('binary-searches the first item past a threshold', () => {
    const buffer = new RingBuffer<number>(5);
    for (let n = 1; n <= 7; n++) buffer.push(n * 10); // holds 30..70, wrapped
    expect(buffer.firstIndexWhere((n) => n > 0)).toBe(0);
    expect(buffer.firstIndexWhere((n) => n > 45)).toBe(2);
    expect(buffer.firstIndexWhere((n) => n > 50)).toBe(3);
    expect(buffer.firstIndexWhere((n) => n > 70)).toBe(5);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
