import { parseRetryAfter } from '../../platform/http-client';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, decide } from './retry.rules';

const mid = () => 0.5; // no jitter

describe('webhook retry decisions', () => {
  it('spans about three days over twelve attempts', () => {
    const total = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(MAX_ATTEMPTS).toBe(12);
    expect(total / 86_400_000).toBeGreaterThan(2.5);
    expect(total / 86_400_000).toBeLessThan(3.2);
  });

  it('delivers on 2xx, stops on 410, dead-letters after the last attempt', () => {
    expect(decide(1, { status: 204 })).toEqual({ kind: 'delivered' });
    expect(decide(3, { status: 410 })).toEqual({ kind: 'gone' });
    expect(decide(MAX_ATTEMPTS, { status: 500 })).toEqual({ kind: 'dead' });
    expect(decide(MAX_ATTEMPTS - 1, { status: null })).toMatchObject({ kind: 'retry' });
  });

  it('backs off exponentially with ±20 % jitter; redirects and timeouts are failures like any other', () => {
    expect(decide(1, { status: 500 }, 1, mid)).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(decide(2, { status: 302 }, 1, mid)).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect(decide(3, { status: null }, 1, mid)).toEqual({ kind: 'retry', delayMs: 1_800_000 });
    expect(decide(1, { status: 500 }, 1, () => 0)).toEqual({ kind: 'retry', delayMs: 4_000 });
    expect(decide(1, { status: 500 }, 1, () => 1)).toEqual({ kind: 'retry', delayMs: 6_000 });
  });

  it('waits at least as long as Retry-After on 429 and 503 (capped at a day), and scales time', () => {
    expect(decide(1, { status: 429, retryAfterMs: 120_000 }, 1, mid)).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(decide(1, { status: 503, retryAfterMs: 1_000 }, 1, mid)).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(decide(1, { status: 429, retryAfterMs: 10 * 86_400_000 }, 1, mid)).toEqual({ kind: 'retry', delayMs: 86_400_000 });
    expect(decide(1, { status: 500, retryAfterMs: 120_000 }, 1, mid)).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(decide(2, { status: 500 }, 0.001, mid)).toEqual({ kind: 'retry', delayMs: 300 });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-21T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
