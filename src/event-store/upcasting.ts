/**
 * Event versioning. Stored events are never rewritten, so when the shape of a type's `data` changes,
 * the old rows stay as they were and carry their `schema_version`. On every read the EventStore passes
 * each event through an UpcasterRegistry, which turns older shapes into the current one step by step
 * (v1 → v2 → … → current), so consumers (queries, the live feed, the rebuild) only ever see the
 * current shape. Appends record the current version of each type.
 *
 * A type with no upcasters is at version 1 and passes through untouched, whatever its stored version.
 */

/** Turns `data` stored at `fromVersion` of `type` into the shape of `fromVersion + 1`. Pure. */
export type Upcaster = {
  type: string;
  fromVersion: number;
  upcast(data: unknown): unknown;
};

/** Nest injection token of the process's UpcasterRegistry (optional: EventStore defaults to an empty one). */
export const EVENT_UPCASTERS = Symbol('EVENT_UPCASTERS');

/** What an upcast needs; the location fields only make error messages point at the row. */
export type VersionedEvent = { type: string; schemaVersion: number; data: unknown; streamId?: string; version?: number };

/** An event this code cannot bring to its current shape: reading on would hand consumers a wrong shape. */
export class EventSchemaVersionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventSchemaVersionError';
  }
}

export class UpcasterRegistry {
  static readonly EMPTY = new UpcasterRegistry([]);

  /** type → fromVersion → the step from it. */
  private readonly steps = new Map<string, Map<number, Upcaster>>();
  private readonly current = new Map<string, number>();

  /** Throws when two steps start at the same version or a step is missing between the first and the last. */
  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) this.add(upcaster);
    for (const [type, steps] of this.steps) this.current.set(type, checkContiguous(type, steps));
  }

  /** The version appends record for `type`: one past its last upcaster, 1 for a type without any. */
  currentVersion(type: string): number {
    return this.current.get(type) ?? 1;
  }

  /** The schema version to store for a new event: its explicit one (never newer than the code knows), else the current. */
  versionToWrite(event: { type: string; schemaVersion?: number }): number {
    const current = this.currentVersion(event.type);
    const version = event.schemaVersion ?? current;
    if (!Number.isInteger(version) || version < 1 || (this.current.has(event.type) && version > current)) {
      throw new EventSchemaVersionError(
        `cannot append ${event.type} at schema version ${version}: this code writes versions 1..${current}`,
      );
    }
    return version;
  }

  /** `event` in its type's current shape, with `schemaVersion` set to the current version. */
  upcast<E extends VersionedEvent>(event: E): E {
    const target = this.current.get(event.type);
    if (target === undefined || event.schemaVersion === target) return event;
    if (event.schemaVersion > target) throw newerThanKnown(event, target);
    let data = event.data;
    for (let from = event.schemaVersion; from < target; from++) data = this.step(event, from, data);
    return { ...event, schemaVersion: target, data };
  }

  private step(event: VersionedEvent, from: number, data: unknown): unknown {
    const upcaster = this.steps.get(event.type)?.get(from);
    if (!upcaster) {
      throw new EventSchemaVersionError(
        `no upcaster for ${describe(event)} from schema version ${from}: ` +
          `register one with { type: '${event.type}', fromVersion: ${from} }`,
      );
    }
    try {
      return upcaster.upcast(data);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new EventSchemaVersionError(`upcasting ${describe(event)} from schema version ${from} failed: ${reason}`, { cause });
    }
  }

  private add(upcaster: Upcaster): void {
    const { type, fromVersion } = upcaster;
    if (!Number.isInteger(fromVersion) || fromVersion < 1) {
      throw new EventSchemaVersionError(`upcaster of ${type}: fromVersion must be an integer >= 1, got ${fromVersion}`);
    }
    const steps = this.steps.get(type) ?? new Map<number, Upcaster>();
    if (steps.has(fromVersion)) throw new EventSchemaVersionError(`two upcasters of ${type} from version ${fromVersion}`);
    this.steps.set(type, steps.set(fromVersion, upcaster));
  }
}

/**
 * A chain may start above 1 (older versions were retired), but may not skip a version: that would only
 * surface when the first such row is read, maybe in production. Returns the type's current version.
 */
function checkContiguous(type: string, steps: Map<number, Upcaster>): number {
  const versions = [...steps.keys()].sort((a, b) => a - b);
  const first = versions[0];
  const last = versions[versions.length - 1];
  for (let version = first; version <= last; version++) {
    if (!steps.has(version)) {
      throw new EventSchemaVersionError(`upcasters of ${type} skip version ${version}: add one with fromVersion ${version}`);
    }
  }
  return last + 1;
}

function newerThanKnown(event: VersionedEvent, target: number): EventSchemaVersionError {
  return new EventSchemaVersionError(
    `${describe(event)} is at schema version ${event.schemaVersion}, newer than this code knows ` +
      `(up to ${target}): it was written by a newer release; run that release here instead of reading it`,
  );
}

function describe(event: VersionedEvent): string {
  return event.streamId === undefined ? event.type : `${event.type} (stream ${event.streamId}, version ${event.version})`;
}
