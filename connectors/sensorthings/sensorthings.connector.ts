/**
 * `sensorthings`: pulls meter totalisers from an OGC SensorThings API 1.1 service
 * (FROST-Server, 52°North, …).
 *
 * Mapping
 * - Every Datastream is a candidate meter. Its meter code is a key of the Datastream's
 *   `properties` (`meterCodeFrom: { property: 'meterCode' }`, the default; a dotted key
 *   such as `meter.code` reaches into nested objects) or its `name`
 *   (`meterCodeFrom: 'name'`). Datastreams without a meter code are ignored silently.
 * - An Observation's `result` is the cumulative volume (a number or numeric string),
 *   converted from the Datastream's `unitOfMeasurement`: litres (`L`, `l`, `ℓ`, `dm3`,
 *   `litre`, `liter`, QUDT `…/unit/L`, `#Liter`) × 0.001; cubic metres (`m3`, `m^3`, `m³`,
 *   `kL`, `cubic metre/meter`, QUDT `…/unit/M3`, `#CubicMeter`) × 1. `symbol` is looked at
 *   first, then `name`, then `definition`.
 * - A Datastream whose unit is neither is **skipped, and reported once per pass** as a
 *   rejected record with `position: 0` naming the Datastream and unit. Its observations
 *   are not read and its cursor does not move, so once the unit is corrected on the
 *   server its history is picked up from where it was (rejecting every observation would
 *   instead move the cursor past them and lose them for good).
 * - `readAt` is the phenomenonTime, or the end of an interval "start/end".
 * - `flowRate` is `parameters.flowRate` when the observation has one (a number in the
 *   Datastream's volume unit per hour, converted like the result), else null.
 * - An observation with a non-numeric or negative result, or a missing/invalid/reversed
 *   phenomenonTime, is rejected with a reason; the rest of the page is kept.
 *
 * Reading
 *   GET {baseUrl}/Datastreams?$select=@iot.id,name,properties,unitOfMeasurement&$top=200
 *   GET {baseUrl}/Datastreams({id})/Observations?$select=@iot.id,phenomenonTime,result,parameters
 *       &$orderby=phenomenonTime%20asc&$top={n}[&$filter=phenomenonTime%20gt%20{cursor time}]
 * both following `@iot.nextLink`. A nextLink on another origin than `baseUrl` (a
 * server with a wrong `serviceRootUrl` behind a proxy) is re-based onto the request
 * it continues, so the token is only ever sent to `baseUrl`'s origin.
 *
 * Cursor: `{"v":1,"ds":{"<datastream id>":"<phenomenonTime>"}}` — per Datastream, the
 * phenomenonTime (for an interval: its **start**, which is what `gt` and `$orderby`
 * compare in FROST-Server) of the last observation consumed, exactly as the server
 * wrote it (no precision lost). Datastreams advance independently; a page may mix
 * Datastreams and holds at most `limit` readings plus rejections. A bare ISO 8601
 * instant is also accepted as a cursor: every Datastream then starts after it
 * (backfill). `done` is true when every Datastream is exhausted.
 * Observations of one Datastream sharing the same phenomenonTime are duplicates for the
 * hub (it keys readings by meter and time); one falling right after a page boundary
 * is skipped by `gt`.
 *
 * Errors: 5xx, 408, 429, timeouts and network errors are retried `maxRetries` times with
 * exponential backoff (honouring `Retry-After`, both capped at 30 s; the hub's one policy in
 * `src/platform/http-client.ts`), then raise a retryable FeedError; other 4xx, and redirects
 * (never followed, so the token stays with `baseUrl`), raise a non-retryable FeedError; an answer without a `value` array raises a
 * FeedError. Messages never contain the token.
 *
 * @example
 *   const c = sensorThingsConnector.create(sensorThingsConnector.parseConfig({
 *     baseUrl: 'https://frost.example.org/FROST-Server/v1.1', token: '…' }));
 *   const page = await c.fetchPage(null, { limit: 1000 });
 */
import {
  HttpFailure,
  OutboundGuard,
  RetriesExhausted,
  Transient,
  isTransientStatus,
  parseRetryAfter,
  redact,
  request,
  withRetries,
} from '../../src/platform/http-client';
import { Connector, ConnectorDefinition, FeedError, FetchOptions, Page, RawReading, RejectedRecord, isoCursorAt } from '../connector';
import { formatCursor, parseCursor } from './sensorthings.cursor';
import { Stream, describe, parseObservation, volumeFactor } from './sensorthings.mapping';
import { DATASTREAM_PAGE, MAX_BACKOFF_MS, MAX_OBSERVATION_TOP, SensorThingsConfig, TYPE, parseConfig } from './sensorthings.settings';

export type { SensorThingsConfig } from './sensorthings.settings';
export { volumeFactor } from './sensorthings.mapping';

// ---------------------------------------------------------------------------------------
// HTTP

interface Collection {
  value: unknown[];
  nextLink?: string;
}

/** The `message` of a JSON error body (FROST's shape), else the body's first 200 characters on one line. */
function bodySnippet(text: string): string {
  let s = text;
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (j && typeof j.message === 'string') s = j.message;
  } catch {
    /* not JSON */
  }
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function idLiteral(id: number | string): string {
  return typeof id === 'number' ? String(id) : `'${encodeURIComponent(id.replace(/'/g, "''"))}'`;
}

class SensorThingsConnector implements Connector {
  readonly type = TYPE;
  private readonly origin: string;
  private readonly headers: Record<string, string>;
  /** Datastreams of the current pass (discovered on its first page). */
  private streams: Stream[] | null = null;
  /** Datastream key → cursor value at which it was found exhausted in the current pass. */
  private readonly exhausted = new Map<string, string>();

  constructor(
    private readonly cfg: SensorThingsConfig,
    private readonly policy?: OutboundGuard,
  ) {
    this.origin = new URL(cfg.baseUrl).origin;
    this.headers = { accept: 'application/json' };
    if (cfg.token) {
      const isAuthorization = cfg.authHeader.toLowerCase() === 'authorization';
      this.headers[cfg.authHeader] = isAuthorization && !/\s/.test(cfg.token) ? `Bearer ${cfg.token}` : cfg.token;
    }
  }

  async fetchPage(cursor: string | null, opts: FetchOptions): Promise<Page> {
    const limit = Math.max(1, Math.floor(opts.limit));
    const state = parseCursor(cursor);
    const rejected: RejectedRecord[] = [];
    const readings: RawReading[] = [];
    if (this.streams === null) {
      this.exhausted.clear();
      const { streams, unusable } = await this.discover(opts.signal);
      this.streams = streams;
      rejected.push(...unusable);
    }

    const next: Record<string, string> = { ...state.ds };
    let advanced = false;
    let position = 0;
    /** Readings plus rejections that carry a time (those without one cannot move a cursor). */
    let counted = 0;
    let allExhausted = true;
    for (const stream of this.streams) {
      const from = state.ds[stream.key] ?? state.after ?? this.cfg.since ?? null;
      if (this.exhausted.get(stream.key) === (from ?? '')) continue;
      const room = limit - counted;
      if (room <= 0) {
        allExhausted = false;
        break;
      }
      const r = await this.readStream(stream, from, room, position, opts.signal);
      position = r.position;
      counted += r.used;
      readings.push(...r.readings);
      rejected.push(...r.rejected);
      if (r.last !== null && r.last !== from) {
        next[stream.key] = r.last;
        advanced = true;
      }
      if (r.exhausted) this.exhausted.set(stream.key, r.last ?? '');
      else allExhausted = false;
    }

    if (allExhausted) {
      // End of a pass: the next call re-discovers Datastreams and re-checks every one.
      this.streams = null;
      this.exhausted.clear();
    }
    return {
      readings,
      rejected,
      nextCursor: advanced ? formatCursor(next) : cursor,
      done: allExhausted,
    };
  }

  close(): Promise<void> {
    this.streams = null;
    this.exhausted.clear();
    return Promise.resolve();
  }

  private async discover(signal?: AbortSignal): Promise<{ streams: Stream[]; unusable: RejectedRecord[] }> {
    const streams: Stream[] = [];
    const unusable: RejectedRecord[] = [];
    const seen = new Set<string>();
    const first = `${this.cfg.baseUrl}/Datastreams?$select=@iot.id,name,properties,unitOfMeasurement&$top=${DATASTREAM_PAGE}`;
    let url: string | undefined = first;
    while (url) {
      const page: Collection = await this.getCollection(url, signal);
      for (const item of page.value) {
        if (!item || typeof item !== 'object') throw this.garbage(url, 'a Datastream is not an object');
        const ds = item as Record<string, unknown>;
        const id = ds['@iot.id'];
        if (typeof id !== 'number' && typeof id !== 'string') throw this.garbage(url, 'a Datastream has no @iot.id');
        const key = String(id);
        if (seen.has(key)) continue;
        seen.add(key);
        const meterCode = this.meterCodeOf(ds);
        if (meterCode === null) continue;
        const name = typeof ds.name === 'string' ? ds.name : '';
        const label = `Datastream ${describe(id)}${name ? ` "${name}"` : ''} (meter ${meterCode})`;
        const factor = volumeFactor(ds.unitOfMeasurement);
        if (factor === null) {
          unusable.push({
            position: 0,
            reason:
              `${label}: unit of measurement ${describe(ds.unitOfMeasurement ?? null)} is neither litres nor cubic metres; ` +
              'Datastream skipped (its cursor is kept until the unit is fixed)',
          });
          continue;
        }
        streams.push({ key, id, meterCode, factor, label });
      }
      url = page.nextLink ? this.follow(page.nextLink, first) : undefined;
    }
    return { streams, unusable };
  }

  private meterCodeOf(ds: Record<string, unknown>): string | null {
    let v: unknown;
    if (this.cfg.meterCodeFrom === 'name') {
      v = ds.name;
    } else {
      const props = ds.properties;
      const key = this.cfg.meterCodeFrom.property;
      if (props && typeof props === 'object') {
        const p = props as Record<string, unknown>;
        v = key in p ? p[key] : key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), p);
      }
    }
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.trim()) return v.trim();
    return null;
  }

  private async readStream(
    stream: Stream,
    from: string | null,
    room: number,
    startPosition: number,
    signal?: AbortSignal,
  ): Promise<{
    readings: RawReading[];
    rejected: RejectedRecord[];
    /** phenomenonTime key of the last observation consumed (or `from`). */
    last: string | null;
    /** Observations consumed that count towards the page's limit. */
    used: number;
    exhausted: boolean;
    position: number;
  }> {
    const readings: RawReading[] = [];
    const rejected: RejectedRecord[] = [];
    let position = startPosition;
    let used = 0;
    let last: string | null = from;
    let lastMs = from === null ? Number.NEGATIVE_INFINITY : Date.parse(from);
    const base = `${this.cfg.baseUrl}/Datastreams(${idLiteral(stream.id)})/Observations`;
    let url: string | undefined =
      `${base}?$select=@iot.id,phenomenonTime,result,parameters&$orderby=${encodeURIComponent('phenomenonTime asc')}` +
      `&$top=${Math.min(room, MAX_OBSERVATION_TOP)}` +
      (from !== null ? `&$filter=${encodeURIComponent(`phenomenonTime gt ${from}`)}` : '');
    const first = url;
    while (url) {
      const page: Collection = await this.getCollection(url, signal);
      let i = 0;
      for (; i < page.value.length && used < room; i++) {
        const p = parseObservation(stream, page.value[i]);
        position++;
        if (p.keyMs !== undefined && p.key !== undefined) {
          if (p.keyMs < lastMs) {
            throw new FeedError(
              `${TYPE}: ${stream.label}: observation at ${p.key} came after ${last ?? '(start)'}; ` +
                'the server must honour $filter=phenomenonTime gt … and $orderby=phenomenonTime asc',
              false,
            );
          }
          lastMs = p.keyMs;
          last = p.key;
          used++;
        }
        if (p.ok) readings.push(p.reading);
        else rejected.push({ position, reason: p.reason });
      }
      if (i < page.value.length) return { readings, rejected, last, used, exhausted: false, position };
      if (!page.nextLink) return { readings, rejected, last, used, exhausted: true, position };
      if (used >= room) return { readings, rejected, last, used, exhausted: false, position };
      url = this.follow(page.nextLink, first);
    }
    return { readings, rejected, last, used, exhausted: true, position };
  }

  /**
   * Absolute URL for a nextLink. One on `baseUrl`'s origin is used as given; one on
   * another origin keeps only its query, re-based onto the request it continues.
   */
  private follow(nextLink: string, request: string): string {
    let next: URL;
    try {
      next = new URL(nextLink, `${this.cfg.baseUrl}/`);
    } catch {
      throw this.garbage(request, `@iot.nextLink ${describe(nextLink)} is not a URL`);
    }
    if (next.origin === this.origin) return next.href;
    const rebased = new URL(request);
    rebased.search = next.search;
    return rebased.href;
  }

  private safeUrl(url: string): string {
    try {
      const u = new URL(url);
      u.username = '';
      u.password = '';
      const s = u.href;
      return s.length > 300 ? `${s.slice(0, 297)}...` : s;
    } catch {
      return '(invalid URL)';
    }
  }

  private redact(text: string): string {
    return redact(text, [this.cfg.token, this.headers[this.cfg.authHeader]]);
  }

  private garbage(url: string, what: string): FeedError {
    return new FeedError(`${TYPE}: GET ${this.safeUrl(url)}: ${what}`);
  }

  private async getCollection(url: string, signal?: AbortSignal): Promise<Collection> {
    const text = await this.get(url, signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.garbage(url, `answer is not JSON: ${describe(this.redact(text.slice(0, 80)))}`);
    }
    if (!body || typeof body !== 'object' || !Array.isArray((body as { value?: unknown }).value)) {
      throw this.garbage(url, 'answer is not a SensorThings collection (no "value" array)');
    }
    const b = body as { value: unknown[]; '@iot.nextLink'?: unknown };
    const nextLink = b['@iot.nextLink'];
    if (nextLink !== undefined && nextLink !== null && typeof nextLink !== 'string') {
      throw this.garbage(url, '@iot.nextLink is not a string');
    }
    return { value: b.value, nextLink: nextLink || undefined };
  }

  /** GET with timeout and retries; returns the body of a 2xx answer. */
  private async get(url: string, signal?: AbortSignal): Promise<string> {
    const { maxRetries, retryBaseMs, timeoutMs } = this.cfg;
    try {
      return await withRetries({ maxRetries, baseMs: retryBaseMs, maxWaitMs: MAX_BACKOFF_MS }, signal, async () => {
        let res;
        try {
          res = await request(url, { headers: this.headers, timeoutMs, signal, policy: this.policy });
        } catch (e) {
          if (!(e instanceof HttpFailure)) throw e;
          // The outbound address policy refused the target (internal address, outside the allowed domains): no retry helps.
          if (e.code === 'EINTERNALADDRESS')
            throw new FeedError(`${TYPE}: GET ${this.safeUrl(url)} refused by the outbound address policy: ${e.message}`, false);
          throw new Transient(this.redact(e.kind === 'timeout' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.code ? ` (${e.code})` : ''}`));
        }
        if (res.status >= 200 && res.status < 300) return res.text;
        const body = this.redact(bodySnippet(res.text));
        const detail = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${body ? `: ${body}` : ''}`;
        if (isTransientStatus(res.status)) throw new Transient(detail, parseRetryAfter(res.header('retry-after')));
        throw new FeedError(`${TYPE}: GET ${this.safeUrl(url)} answered ${detail}`, false);
      });
    } catch (e) {
      if (e instanceof RetriesExhausted) {
        throw new FeedError(`${TYPE}: GET ${this.safeUrl(url)} failed after ${e.attempts} attempt(s): ${e.last.message}`, true);
      }
      throw e;
    }
  }
}

export const sensorThingsConnector: ConnectorDefinition<SensorThingsConfig> = {
  cursorAt: isoCursorAt,
  type: TYPE,
  parseConfig,
  secretKeys: ['token'],
  create: (config, env = {}) => new SensorThingsConnector(config, env.policy),
  targets: (config) => [config.baseUrl],
};
