/**
 * A subscription's source event stream that can also be pushed from: instead of a consumer
 * pulling each event through `next()` (a promise per event and subscriber), it hands every
 * event it keeps to one sink, synchronously and in order. The shared fan-out
 * (fanout.ts) uses it; graphql-js and graphql-ws still see a plain async iterator.
 */
export interface PushSource<T = unknown> extends AsyncIterator<T> {
  /**
   * From now on hands each event to `sink` (the ones already queued first, in order) and
   * queues nothing for `next()`. Ends as the stream does: through `return()`.
   */
  push(sink: (event: T) => void): void;
  /** The error the stream ends with when its consumer is `backlog` events behind, or null while it may fall further. */
  behind(backlog: number): Error | null;
}

/** Whether a source event stream can be pushed from. */
export function isPushSource(source: unknown): source is PushSource {
  const s = source as Partial<PushSource> | null;
  return typeof s === 'object' && s !== null && typeof s.push === 'function' && typeof s.behind === 'function' && typeof s.return === 'function';
}
