/** A fixed-capacity FIFO: pushing onto a full buffer evicts (and returns) the oldest item. */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private first = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends `item`; returns the evicted oldest item when the buffer was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.slots[(this.first + this.count) % this.capacity] = item;
      this.count += 1;
      return undefined;
    }
    const evicted = this.slots[this.first];
    this.slots[this.first] = item;
    this.first = (this.first + 1) % this.capacity;
    return evicted;
  }

  /** The item at `index` (0 = oldest). */
  at(index: number): T {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} outside 0..${this.count - 1}`);
    return this.slots[(this.first + index) % this.capacity] as T;
  }

  /**
   * Index of the first item for which `isPast` holds (size if none), by binary search: `isPast` must
   * be false for some prefix of the buffer and true for the rest (the buffer is sorted by it).
   */
  firstIndexWhere(isPast: (item: T) => boolean): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isPast(this.at(middle))) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
