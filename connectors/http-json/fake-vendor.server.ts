/**
 * An in-process fake of a vendor that speaks the `http-json` format, for tests and demos:
 * `node:http` on 127.0.0.1, a free port, readings in memory in cursor order.
 *
 * @example
 *   const vendor = await startFakeVendor({ token: 'Bearer s3cret' });
 *   vendor.push({ meterCode: 'M1', readAt: '2025-05-01T00:00:00Z', cumulativeVolume: 1, flowRate: null });
 *   vendor.failNext(2, 503);            // the next two requests answer 503
 *   const def = httpJsonConnector;
 *   const c = def.create(def.parseConfig({ baseUrl: vendor.url, token: 'Bearer s3cret' }));
 *   …
 *   await vendor.close();
 *
 * Cursors are opaque strings (`c` + a zero-padded sequence number) assigned by `push`; `after`
 * returns the readings whose cursor sorts after it, and `nextCursor` is the cursor of the last
 * reading answered, or null when none was (the documented "keep your cursor").
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from '../loopback';

/** A record as the vendor serves it (loosely typed so tests can serve wrong shapes too). */
export interface FakeReading {
  meterCode?: unknown;
  readAt?: unknown;
  cumulativeVolume?: unknown;
  flowRate?: unknown;
  [extra: string]: unknown;
}

export interface FakeVendorOptions {
  /** Required value of the auth header; absent: no auth check. */
  token?: string;
  /** Name of the auth header. Default `Authorization`. */
  authHeader?: string;
  /** Readings to start with. */
  readings?: FakeReading[];
  /** Largest `limit` honoured; larger requests get this many. Default 5000. */
  maxLimit?: number;
}

export interface FakeVendorRequest {
  /** `Date.now()` when the request arrived. */
  at: number;
  /** Path and query, e.g. `/readings?after=c000000001000&limit=1000`. */
  url: string;
  after: string | null;
  limit: number | null;
  /** Value of the auth header as received. */
  auth: string | undefined;
  /** What the fake did with it. */
  outcome: 'ok' | 'unauthorized' | 'failed' | 'garbage' | 'hung' | 'not-found' | 'bad-request';
}

export interface FakeVendor {
  /** Base URL to configure the connector with, e.g. `http://127.0.0.1:41234/api`. */
  url: string;
  /** The served readings, in cursor order (read-only view; add with `push`). */
  readonly readings: readonly FakeReading[];
  /** Appends readings with the next cursors. */
  push(...readings: FakeReading[]): void;
  /** The next `n` requests answer `status` (with `Retry-After: retryAfter` when given). */
  failNext(n: number, status: number, retryAfter?: string | number): void;
  /** The next `n` requests answer 200 with an HTML body. */
  garbageNext(n: number): void;
  /** Forgets every queued fault: the feed is back. */
  healthy(): void;
  /** The next `n` requests are never answered (the socket stays open until `close`). */
  hangNext(n: number): void;
  /** The reading at `index` (0-based, in cursor order) is served without its meterCode and with an unparseable readAt. */
  malformed(index: number): void;
  /** Requests received so far. */
  readonly requests: number;
  /** Every request received, in order. */
  readonly log: readonly FakeVendorRequest[];
  close(): Promise<void>;
}

type Fault = { kind: 'fail'; status: number; retryAfter?: string } | { kind: 'garbage' } | { kind: 'hang' };

const cursorOf = (seq: number) => `c${String(seq).padStart(12, '0')}`;

export async function startFakeVendor(opts: FakeVendorOptions = {}): Promise<FakeVendor> {
  const authHeader = (opts.authHeader ?? 'Authorization').toLowerCase();
  const maxLimit = opts.maxLimit ?? 5000;
  const rows: { cursor: string; record: FakeReading }[] = [];
  const malformedIdx = new Set<number>();
  const faults: Fault[] = [];
  const log: FakeVendorRequest[] = [];

  const push = (...readings: FakeReading[]) => {
    for (const r of readings) rows.push({ cursor: cursorOf(rows.length + 1), record: r });
  };
  push(...(opts.readings ?? []));

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const auth = req.headers[authHeader];
    const entry: FakeVendorRequest = {
      at: Date.now(),
      url: req.url ?? '/',
      after: u.searchParams.get('after'),
      limit: u.searchParams.has('limit') ? Number(u.searchParams.get('limit')) : null,
      auth: Array.isArray(auth) ? auth.join(',') : auth,
      outcome: 'ok',
    };
    log.push(entry);

    const fault = faults.shift();
    if (fault?.kind === 'hang') {
      entry.outcome = 'hung';
      return; // never answer
    }
    if (fault?.kind === 'fail') {
      entry.outcome = 'failed';
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      return send(res, fault.status, JSON.stringify({ error: `simulated HTTP ${fault.status}` }), headers);
    }
    if (fault?.kind === 'garbage') {
      entry.outcome = 'garbage';
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>');
    }

    if (opts.token !== undefined && entry.auth !== opts.token) {
      entry.outcome = 'unauthorized';
      return send(res, 401, JSON.stringify({ error: 'unauthorized' }), { 'www-authenticate': 'Bearer' });
    }
    if (req.method !== 'GET' || !u.pathname.endsWith('/readings')) {
      entry.outcome = 'not-found';
      return send(res, 404, JSON.stringify({ error: `no route ${req.method} ${u.pathname}` }));
    }
    const limit = entry.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) {
      entry.outcome = 'bad-request';
      return send(res, 400, JSON.stringify({ error: 'limit must be a positive integer' }));
    }
    const after = entry.after;
    let start = 0;
    if (after !== null) {
      start = rows.findIndex((r) => r.cursor > after);
      if (start < 0) start = rows.length;
    }
    const slice = rows.slice(start, start + Math.min(limit, maxLimit));
    const readings = slice.map((r, i) => (malformedIdx.has(start + i) ? { ...r.record, meterCode: undefined, readAt: 'yesterday-ish' } : r.record));
    const nextCursor = slice.length ? slice[slice.length - 1].cursor : null;
    send(res, 200, JSON.stringify({ readings, nextCursor }));
  };

  const server = createServer(handle);
  const port = await listenLoopback(server);

  const queue = (n: number, f: Fault) => {
    for (let i = 0; i < n; i++) faults.push(f);
  };

  return {
    url: `http://127.0.0.1:${port}/api`,
    get readings() {
      return rows.map((r) => r.record);
    },
    push,
    healthy: () => {
      faults.length = 0;
    },
    failNext: (n, status, retryAfter) => queue(n, { kind: 'fail', status, retryAfter: retryAfter === undefined ? undefined : String(retryAfter) }),
    garbageNext: (n) => queue(n, { kind: 'garbage' }),
    hangNext: (n) => queue(n, { kind: 'hang' }),
    malformed: (index) => {
      malformedIdx.add(index);
    },
    get requests() {
      return log.length;
    },
    log,
    close: () => closeServer(server),
  };
}
