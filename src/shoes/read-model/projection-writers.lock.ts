/**
 * The projection writers' lock (transaction level, a bigint key from hashtextextended, per database), owned by the
 * read model because it guards the read model's tables. Every write takes it SHARED as step 0 (before its stream
 * lock) and holds it until COMMIT; a rebuild's last step takes it EXCLUSIVELY, which waits for every in-flight
 * writer to commit and holds new ones back until the rebuild commits. An advisory lock assigns no transaction id,
 * so lockStreams still finds none afterwards.
 */
const PROJECTION_WRITERS_KEY = 'true-to-size:projection-writers';

/** Step 0 of every write. */
export const SHARE_PROJECTION_WRITERS_LOCK = `SELECT pg_advisory_xact_lock_shared(hashtextextended('${PROJECTION_WRITERS_KEY}', 0))`;
/** A rebuild's last step: waits for in-flight writers, then keeps new ones out until COMMIT. */
export const HOLD_BACK_PROJECTION_WRITERS = `SELECT pg_advisory_xact_lock(hashtextextended('${PROJECTION_WRITERS_KEY}', 0))`;
