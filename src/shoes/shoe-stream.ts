/**
 * The event store's stream type of every shoe stream: written by the write path, read by the rebuild and the
 * feeds. One constant, so a rename cannot leave one reader behind.
 */
export const SHOE_STREAM_TYPE = 'shoe';
