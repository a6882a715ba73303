/**
 * `http-json`: the hub's documented generic vendor format (issue #3, item 3).
 *
 * ## The format a vendor implements
 *
 *     GET {baseUrl}/readings?limit=N                 (first call: no cursor yet)
 *     GET {baseUrl}/readings?after=<cursor>&limit=N  (every later call)
 *     {authHeader}: {token}                          (e.g. "Authorization: Bearer abc…")
 *
 *     200 application/json
 *     {
 *       "readings": [
 *         { "meterCode": "M-001", "readAt": "2025-05-01T08:00:00+08:00",
 *           "cumulativeVolume": 1234.5, "flowRate": 2.4 }
 *       ],
 *       "nextCursor": "opaque-string"   // or null: "nothing new, keep your cursor"
 *     }
 *
 * - `readAt`: ISO 8601 with a UTC offset (`Z` or `±hh:mm`); a time without one is rejected.
 * - `cumulativeVolume`: the totaliser in m³, ≥ 0. `flowRate`: m³/h, optional or null.
 *   Numbers may also be sent as decimal strings (`"1234.5"`).
 * - The cursor is opaque to the hub: it is whatever the vendor returned, passed back verbatim
 *   in `after`. Readings must be returned in cursor order, at most `limit` of them.
 * - Errors: 401/403 for bad credentials, 429 or 503 with `Retry-After` (seconds or an HTTP
 *   date) when the vendor wants the hub to slow down.
 *
 * ## Cursor semantics
 *
 * `nextCursor` of a page is the vendor's `nextCursor`, or the incoming cursor when the vendor
 * answered `null` (nothing new). The page is `done` when it held fewer than `limit` records
 * (good or malformed), or the cursor did not move.
 *
 * ## Faults
 *
 * Each request is bounded by `timeoutMs` (and the caller's signal). Network errors, timeouts,
 * 5xx, 408 and 429 are retried up to `maxRetries` times with exponential backoff and jitter
 * (`retryBaseMs` · 2^attempt, capped at 60 s), or after the `Retry-After` the vendor asked for
 * (capped at 60 s); when they run out the page fails with a retryable {@link FeedError}. Any
 * other 4xx (and a redirect — the token is never sent to another address) fails at once with a
 * non-retryable FeedError. A 200 whose body is not JSON or has no `readings` array fails with a
 * retryable FeedError "answered garbage: …" (not retried within the page: the sync run fails and
 * is retried by its job). A malformed record is reported in `rejected` (1-based position in the
 * page) and the rest of the page is kept. Error messages never contain the token.
 */
import { z } from 'zod';
import {
  HttpAnswer,
  HttpFailure,
  RetriesExhausted,
  Transient,
  backoffMs as platformBackoffMs,
  OutboundGuard,
  isTransientStatus,
  parseRetryAfter as retryAfter,
  redact,
  request,
  withRetries,
} from '../../src/platform/http-client';
import { Connector, ConnectorDefinition, ConnectorEnv, FeedError, FetchOptions, Page, RawReading, RejectedRecord, parseSettings } from '../connector';
import { excerpt, toRawReading } from './reading-fields';

/** Settings of an `http-json` data source. */
export interface HttpJsonConfig {
  /** Vendor API root, http(s); `/readings` is appended to its path. */
  baseUrl: string;
  /** Request header that carries the token. Default `Authorization`. */
  authHeader: string;
  /** Secret. Sent verbatim as the header's value, so include any scheme: `Bearer abc…`. */
  token: string;
  /** Budget of one HTTP request, headers and body, in ms. Default 15000. */
  timeoutMs: number;
  /** Further attempts after a failed request (network, timeout, 5xx, 408, 429). Default 4. */
  maxRetries: number;
  /** First backoff step in ms; doubles per attempt, with jitter. Default 500. */
  retryBaseMs: number;
}

/** Longest wait between two attempts, whatever `Retry-After` or the backoff says. */
export const MAX_RETRY_WAIT_MS = 60_000;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const integer = (min: number, max: number, unit: string) =>
  z.coerce
    .number({ error: `must be a number of ${unit}` })
    .int(`must be a whole number of ${unit}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const schema = z.object({
  baseUrl: z
    .string({ error: 'is required: the vendor API root, e.g. https://vendor.example/api' })
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL, e.g. https://vendor.example/api'),
  authHeader: z
    .string({ error: 'must be a header name' })
    .trim()
    .regex(HEADER_NAME, 'must be a valid HTTP header name, e.g. Authorization or X-Api-Key')
    .default('Authorization'),
  token: z
    .string({ error: 'is required: the value sent in the auth header, e.g. "Bearer <token>"' })
    .min(1, 'is required: the value sent in the auth header, e.g. "Bearer <token>"')
    .refine((v) => !/[\r\n\0]/.test(v), 'must not contain line breaks'),
  timeoutMs: integer(1, 600_000, 'milliseconds').default(15_000),
  maxRetries: integer(0, 20, 'retries').default(4),
  retryBaseMs: integer(0, MAX_RETRY_WAIT_MS, 'milliseconds').default(500),
});

/** `Retry-After` as a wait in ms, capped at {@link MAX_RETRY_WAIT_MS}; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  const ms = retryAfter(value, now);
  return ms === null ? null : Math.min(ms, MAX_RETRY_WAIT_MS);
}

/** Exponential backoff with "equal jitter" (the hub's one policy), capped at {@link MAX_RETRY_WAIT_MS}. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  return platformBackoffMs(attempt, baseMs, MAX_RETRY_WAIT_MS, random);
}

class HttpJsonConnector implements Connector {
  readonly type = 'http-json';

  constructor(
    private readonly config: HttpJsonConfig,
    private readonly policy?: OutboundGuard,
  ) {}

  async fetchPage(cursor: string | null, opts: FetchOptions): Promise<Page> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new FeedError(`limit must be a positive whole number, got ${opts.limit}`, false);
    const url = this.pageUrl(cursor, opts.limit);
    const body = await this.getJson(url, opts.signal);
    return this.toPage(body, cursor, opts.limit, this.shown(url));
  }

  /** `{baseUrl}/readings?after=…&limit=…`, keeping any query the base URL carries. */
  private pageUrl(cursor: string | null, limit: number): URL {
    const url = new URL(this.config.baseUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/readings`;
    if (cursor !== null) url.searchParams.set('after', cursor);
    url.searchParams.set('limit', String(limit));
    return url;
  }

  /** The URL as it may appear in messages and logs: no user info, no query. */
  private shown(url: URL): string {
    return `${url.origin}${url.pathname}`;
  }

  /** Never lets the token reach a message, even when the vendor echoes it back. */
  private redact(text: string): string {
    return redact(text, [this.config.token]);
  }

  private async getJson(url: URL, callerSignal?: AbortSignal): Promise<unknown> {
    const { maxRetries, retryBaseMs } = this.config;
    try {
      return await withRetries({ maxRetries, baseMs: retryBaseMs, maxWaitMs: MAX_RETRY_WAIT_MS }, callerSignal, () => this.attempt(url, callerSignal));
    } catch (e) {
      if (e instanceof RetriesExhausted) throw new FeedError(`GET ${this.shown(url)} ${e.message}`, true);
      throw e;
    }
  }

  /** One request. Throws Transient (retry), FeedError (give up) or the caller's abort reason. */
  private async attempt(url: URL, callerSignal?: AbortSignal): Promise<unknown> {
    const { authHeader, token, timeoutMs } = this.config;
    const where = this.shown(url);

    let res: HttpAnswer;
    try {
      res = await request(url, { headers: { accept: 'application/json', [authHeader]: token }, timeoutMs, signal: callerSignal, policy: this.policy });
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      // The outbound address policy refused the target (internal address, outside the allowed domains): no retry helps.
      if (e.code === 'EINTERNALADDRESS') throw new FeedError(`GET ${where} refused by the outbound address policy: ${e.message}`, false);
      if (e.kind === 'timeout') throw new Transient(`no complete answer within ${timeoutMs} ms (timeout)`);
      throw new Transient(`network error: ${this.redact(e.code ?? e.message)}`);
    }
    const text = res.text;

    const status = res.status;
    if (status >= 200 && status < 300) {
      if (status === 204 || text.trim() === '') throw new FeedError(`${where} answered garbage: empty body (HTTP ${status})`, true);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new FeedError(`${where} answered garbage: not JSON (HTTP ${status}): "${this.redact(excerpt(text))}"`, true);
      }
    }
    const said = text.trim() ? `: "${this.redact(excerpt(text))}"` : '';
    if (isTransientStatus(status)) {
      throw new Transient(`HTTP ${status}${said}`, parseRetryAfter(res.header('retry-after')));
    }
    if (status === 401 || status === 403) {
      throw new FeedError(
        `${where} refused the credentials (HTTP ${status}): check the token and authHeader (${authHeader}) in the data source settings`,
        false,
      );
    }
    if (status >= 300 && status < 400) {
      throw new FeedError(
        `${where} redirected (HTTP ${status}) to ${res.header('location') ?? '?'}; set baseUrl to the final address (the token is not sent on)`,
        false,
      );
    }
    if (status === 404) throw new FeedError(`${where} not found (HTTP 404): check baseUrl${said}`, false);
    throw new FeedError(`${where} rejected the request (HTTP ${status})${said}`, false);
  }

  private toPage(body: unknown, cursor: string | null, limit: number, where: string): Page {
    const records = (body as { readings?: unknown } | null)?.readings;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(records)) {
      throw new FeedError(`${where} answered garbage: no "readings" array in ${this.redact(excerpt(JSON.stringify(body)))}`, true);
    }
    const raw = (body as { nextCursor?: unknown }).nextCursor;
    let feedCursor: string | null;
    if (raw == null) feedCursor = null;
    else if (typeof raw === 'string') feedCursor = raw;
    else if (typeof raw === 'number' && Number.isFinite(raw)) feedCursor = String(raw);
    else throw new FeedError(`${where} answered garbage: nextCursor is ${Array.isArray(raw) ? 'an array' : typeof raw}, expected a string or null`, true);

    const readings: RawReading[] = [];
    const rejected: RejectedRecord[] = [];
    records.forEach((rec: unknown, i) => {
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
        rejected.push({ position: i + 1, reason: `record is ${rec === null ? 'null' : Array.isArray(rec) ? 'an array' : typeof rec}, not an object` });
        return;
      }
      const mapped = toRawReading(rec);
      if (mapped.ok) readings.push(mapped.reading);
      else rejected.push({ position: i + 1, reason: mapped.reason });
    });

    const nextCursor = feedCursor ?? cursor;
    // A short page is not the end: vendors may cap pages below our limit. The end is an empty page or a cursor that stays.
    const done = records.length === 0 || feedCursor === null || feedCursor === cursor;
    return { readings, rejected, nextCursor, done };
  }
}

export const httpJsonConnector: ConnectorDefinition<HttpJsonConfig> = {
  type: 'http-json',
  secretKeys: ['token'],
  parseConfig: (config: unknown): HttpJsonConfig => parseSettings('http-json', schema, config, ' '),
  create(config: HttpJsonConfig, env: ConnectorEnv = {}): Connector {
    return new HttpJsonConnector(config, env.policy);
  },
  targets: (config) => [config.baseUrl],
};
