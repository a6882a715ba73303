/**
 * The hub's one HTTP client: the feed connectors (`http-json`, `sensorthings`) and webhook
 * deliveries go out through {@link request}; the feeds retry through {@link withRetries},
 * webhook deliveries through the queue (their durable schedule, webhook/retry.rules.ts).
 *
 * - One transport (node:http/https, a fresh connection per request): a time budget for the
 *   whole answer (headers and body), the caller's abort signal, never a redirect followed (a
 *   3xx is an answer like any other, so a secret header is only ever sent where it was meant
 *   to go), and an optional `lookup` so an address can be checked at connect time.
 * - One retry policy: a transient failure (network error, timeout, 408, 429, 5xx) is tried
 *   again after the `Retry-After` the server asked for, else after an exponential backoff with
 *   "equal jitter", both capped by the caller's `maxWaitMs`; the caller's abort ends the wait.
 * - One redaction: {@link redact} takes every secret (and its bare form after an auth scheme)
 *   out of a text before it becomes a message.
 *
 * @example
 *   const answer = await withRetries({ maxRetries: 3, baseMs: 500, maxWaitMs: 30_000 }, signal, async () => {
 *     const a = await request(url, { headers, timeoutMs: 15_000, signal });
 *     if (isTransientStatus(a.status)) throw new Transient(`HTTP ${a.status}`, retryAfterOf(a, 30_000));
 *     return a;
 *   });
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string | number>;
  body?: string;
  /** Budget of the whole exchange (connect, headers, body), in ms. */
  timeoutMs: number;
  /** The caller's signal: aborting it rejects with its reason at once. */
  signal?: AbortSignal;
  /** Resolves (and may refuse) the host name at connect time. Literal IPs skip it (Node's rule). */
  lookup?: LookupFunction;
  /**
   * The outbound address policy (src/platform/net/address-policy.ts): checked before connecting (literal addresses, the
   * destination allow-list) and at connect time after DNS (its `lookup`), so a rebound name is refused too.
   */
  policy?: OutboundGuard;
  /** Drain the answer's body without keeping it (webhook receivers' bodies are ignored). */
  discardBody?: boolean;
}

/** What {@link request} needs of an outbound address policy. */
export interface OutboundGuard {
  /** Why a connection to this URL is refused before any DNS, or null. */
  refusal(url: URL): string | null;
  /** A resolver that refuses internal addresses. */
  lookup(): LookupFunction;
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  /** A response header (case-insensitive), repeated ones joined by ", "; null when absent. */
  header(name: string): string | null;
  /** The body as UTF-8 ('' with `discardBody`). */
  text: string;
}

/** No answer: `timeout` (the budget ran out) or `network` (refused, reset, DNS, refused address…). */
export class HttpFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
    /** The system error code (ECONNREFUSED, ENOTFOUND…), when there is one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

/**
 * One HTTP exchange. Resolves with any answer (2xx to 5xx, redirects included, never
 * followed); rejects with an {@link HttpFailure} when none came, or with the signal's reason.
 */
export function request(url: string | URL, opts: RequestOptions): Promise<HttpAnswer> {
  const { signal, timeoutMs } = opts;
  return new Promise<HttpAnswer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let target: URL;
    try {
      target = typeof url === 'string' ? new URL(url) : url;
    } catch {
      return reject(new HttpFailure('network', 'invalid URL'));
    }
    const refused = opts.policy?.refusal(target);
    if (refused) return reject(new HttpFailure('network', refused, 'EINTERNALADDRESS'));
    const lookup = opts.lookup ?? opts.policy?.lookup();
    const lib = target.protocol === 'https:' ? https : http;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = lib.request(target, {
      method: opts.method ?? 'GET',
      headers: opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body), ...opts.headers } : opts.headers,
      ...(lookup ? { lookup } : {}),
      agent: false,
    });
    const onAbort = () => {
      settle(() => reject(signal!.reason));
      req.destroy();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new HttpFailure('timeout', `no answer within ${timeoutMs} ms`, 'ETIMEDOUT')));
      req.destroy();
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => settle(() => reject(new HttpFailure('network', err.message, err.code))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      if (opts.discardBody) res.resume();
      else res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => settle(() => reject(new HttpFailure('network', err.message, err.code))));
      res.on('end', () =>
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            header: (name) => {
              const v = res.headers[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
    req.end(opts.body);
  });
}

// ---------------------------------------------------------------------------------------
// Retry policy

export interface RetryPolicy {
  /** Further attempts after the first. */
  maxRetries: number;
  /** First backoff step in ms; doubles per attempt. */
  baseMs: number;
  /** Longest wait between two attempts, whatever `Retry-After` or the backoff says. */
  maxWaitMs: number;
}

/** 408, 429 and 5xx: worth another attempt. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A `Retry-After` header (delay-seconds or an HTTP date) as a wait in ms from `now`, ≥ 0;
 * null when absent or unreadable. Callers cap it to what they are willing to wait.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half of `baseMs`·2^attempt fixed, half random, capped at `maxWaitMs`. */
export function backoffMs(attempt: number, baseMs: number, maxWaitMs: number, random = Math.random): number {
  const step = Math.min(baseMs * 2 ** attempt, maxWaitMs);
  return Math.round(step / 2 + random() * (step / 2));
}

/** A failure worth another attempt, with the wait the server asked for, if any. */
export class Transient extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'Transient';
  }
}

/** Every attempt failed; `last` is the last attempt's failure. */
export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly last: Transient,
  ) {
    super(`failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${last.message}`);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Runs `attempt` until it returns, throws something other than {@link Transient} (passed on
 * as is), or the retries run out ({@link RetriesExhausted}). Between attempts it waits the
 * failure's `retryAfterMs` or the backoff, at most `maxWaitMs`; the signal cuts the wait short.
 */
export async function withRetries<T>(policy: RetryPolicy, signal: AbortSignal | undefined, attempt: (n: number) => Promise<T>): Promise<T> {
  let last: Transient | undefined;
  for (let n = 0; n <= policy.maxRetries; n++) {
    if (n > 0) {
      const asked = last?.retryAfterMs;
      await sleep(asked != null ? Math.min(asked, policy.maxWaitMs) : backoffMs(n - 1, policy.baseMs, policy.maxWaitMs), signal);
    }
    if (signal?.aborted) throw signal.reason;
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof Transient)) throw e;
      last = e;
    }
  }
  throw new RetriesExhausted(policy.maxRetries + 1, last!);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------
// Redaction

/**
 * `text` with every secret replaced by `***`: each one as given and, for a credential with a
 * scheme (`Bearer abc…`), its bare value when that is at least 4 characters long.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  const words = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    words.add(s);
    const bare = s.replace(/^\s*\S+\s+/, '');
    if (bare !== s && bare.length >= 4) words.add(bare);
  }
  let out = text;
  for (const w of [...words].sort((a, b) => b.length - a.length)) out = out.split(w).join('***');
  return out;
}
