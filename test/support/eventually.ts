/**
 * Waiting in tests without sleeping: `eventually(fn)` calls `fn` until it returns (or
 * resolves) without throwing, and gives back its value; after `timeoutMs` it throws the
 * last error `fn` threw. `fn` is usually a few `expect`s over the system's state, so a
 * failure reads like the assertion it is, not like "timed out".
 *
 *     const run = await eventually(async () => {
 *       const r = await runOf(id);
 *       expect(r.status).toBe('SUCCEEDED');
 *       return r;
 *     }, { timeoutMs: 30_000 });
 *
 * The wait between attempts is a poll interval, not a guess at how long something takes:
 * the test goes on as soon as the condition holds. Prefer a readiness signal (an event, a
 * promise, a log line) when the code under test offers one.
 */
export interface EventuallyOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
  /** Stop waiting at once when aborted (a suite cleaning up). */
  signal?: AbortSignal;
}

export async function eventually<T>(fn: () => T | Promise<T>, { timeoutMs = 10_000, intervalMs = 50, signal }: EventuallyOptions = {}): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new Error('eventually: gave up, the suite is cleaning up');
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + intervalMs > end) {
        if (err instanceof Error) err.message = `${err.message}\n(still failing after ${timeoutMs} ms, ${attempt} attempts)`;
        throw err;
      }
    }
    await pause(intervalMs, signal);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
