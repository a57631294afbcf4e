/** What the cache keeps: anything with an id and a version that only grows (a ShoeRow: its stream's version). */
export type Versioned = { id: string; version: number };

/**
 * A read of one id from the database that may be stored when it comes back (`begin` … `fill`). It records the
 * newest version the log announced for that id while the read was in flight: a read that started before that
 * event committed may come back older, and must not be stored after the invalidation it missed.
 */
export type FillTicket = { readonly id: string; seen: number };

/**
 * A bounded LRU of rows by id whose entries never go backwards (pure; ShoeReadCache wires it to the feed).
 * 1. `set` keeps an entry unless a newer (or equal) version is already there: never an older over a newer.
 * 2. `invalidate(id, version)` comes from the event feed in log order: it drops an entry older than the event
 *    (a newer one, e.g. the writer's own answer stored before its event was read, stays) and marks every open
 *    ticket of the id, so a read that raced the event cannot put the older row back (the classic
 *    read-then-invalidate-then-fill race).
 * 3. `clear` (the read model was rewritten under us, by a rebuild) drops everything and poisons every open ticket.
 * Bounded by `capacity` entries (Map insertion order is the recency order); open tickets are bounded by the
 * reads in flight, and nothing is kept for ids that are not cached (no tombstones).
 */
export class VersionedLru<T extends Versioned> {
  private readonly entries = new Map<string, T>();
  private readonly tickets = new Map<string, Set<FillTicket>>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether `id` has an entry (its recency unchanged). */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The entry (made most recent), if any. */
  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Stores `row` unless an entry at least as new is there; evicts the least recently used beyond capacity. */
  set(row: T): void {
    if (this.capacity <= 0) return;
    const existing = this.entries.get(row.id);
    if (existing !== undefined && existing.version >= row.version) return;
    this.entries.delete(row.id);
    this.entries.set(row.id, row);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The log recorded `version` of `id`: drop an older entry, and tell the reads in flight. */
  invalidate(id: string, version: number): void {
    const entry = this.entries.get(id);
    if (entry !== undefined && entry.version < version) this.entries.delete(id);
    const open = this.tickets.get(id);
    if (open) for (const ticket of open) ticket.seen = Math.max(ticket.seen, version);
  }

  /** Forget every entry; every read in flight may have read the old rows, so none of them is stored either. */
  clear(): void {
    this.entries.clear();
    for (const open of this.tickets.values()) for (const ticket of open) ticket.seen = Infinity;
  }

  /** Call before the database read starts (the ticket must exist before the read's snapshot is taken). */
  begin(id: string): FillTicket {
    const ticket: FillTicket = { id, seen: 0 };
    const open = this.tickets.get(id) ?? new Set<FillTicket>();
    open.add(ticket);
    this.tickets.set(id, open);
    return ticket;
  }

  /** Ends the ticket; stores `row` only if it is at least as new as every event announced meanwhile. */
  fill(ticket: FillTicket, row: T | null): void {
    const open = this.tickets.get(ticket.id);
    if (!open?.delete(ticket)) return; // already ended
    if (open.size === 0) this.tickets.delete(ticket.id);
    if (row !== null && row.id === ticket.id && row.version >= ticket.seen) this.set(row);
  }

  /** Reads in flight (for the spec: tickets must never leak). */
  get openTickets(): number {
    let count = 0;
    for (const open of this.tickets.values()) count += open.size;
    return count;
  }
}
