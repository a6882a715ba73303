/**
 * In-process fake of an OGC SensorThings API 1.1 service (read side only), for the
 * connector's tests. Listens on 127.0.0.1 with an ephemeral port and serves, under
 * `{url}` (a FROST-like service root `…/FROST-Server/v1.1`):
 *
 *   GET /Datastreams?$select&$top&$skip                        (paged, `@iot.nextLink`)
 *   GET /Datastreams({id})/Observations?$filter&$orderby&$top&$skip&$select
 *
 * `$filter` understands exactly `phenomenonTime gt <ISO 8601 instant>` (anything else
 * is a 400, as an unparseable filter is on a real server). Interval phenomenonTimes
 * ("start/end") compare and sort by their start, as FROST-Server does. `$top` is capped
 * at `maxTop` (default 100), so a client asking for more still has to follow
 * `@iot.nextLink`, which is always an absolute URL.
 *
 * @example
 *   const fake = await startFakeSensorThings({ datastreams: [{ id: 1, name: 'M-1', properties: { meterCode: 'M-1' },
 *     unitOfMeasurement: { name: 'cubic metre', symbol: 'm3' }, observations: [{ phenomenonTime: '2024-01-01T00:00:00Z', result: 1 }] }] });
 *   // … fake.url …
 *   await fake.close();
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenLoopback } from '../loopback';

export interface FakeObservation {
  /** Instant or interval "start/end" (ISO 8601). */
  phenomenonTime: string;
  result: unknown;
  parameters?: Record<string, unknown>;
}

export interface FakeDatastream {
  id: number | string;
  name: string;
  properties?: Record<string, unknown>;
  unitOfMeasurement?: { name?: string; symbol?: string; definition?: string };
  observations: FakeObservation[];
}

export interface FakeSensorThingsOptions {
  datastreams: FakeDatastream[];
  /** Server-side cap on `$top` (FROST's `maxTop`). Default 100. */
  maxTop?: number;
  /** Path of the service root. Default `/FROST-Server/v1.1`. */
  rootPath?: string;
  /**
   * Origin written into `@iot.nextLink` instead of the real one, to imitate a server
   * whose `serviceRootUrl` is misconfigured behind a proxy (e.g. `http://localhost:8080`).
   */
  nextLinkOrigin?: string;
}

export interface FakeRequest {
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  url: string;
  authorization: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeSensorThings {
  /** Service root, e.g. `http://127.0.0.1:40123/FROST-Server/v1.1`. */
  url: string;
  /** Every request received, oldest first. */
  requests: FakeRequest[];
  addObservation(datastreamId: number | string, obs: FakeObservation): void;
  /**
   * The next `n` requests are answered with `status` and `body` (default: a FROST-like
   * JSON error). A status of 200 with a body makes a "garbage answer".
   */
  failNext(n: number, status: number, body?: string): void;
  close(): Promise<void>;
}

interface StoredObservation extends FakeObservation {
  '@iot.id': number;
}

interface StoredDatastream extends Omit<FakeDatastream, 'observations'> {
  observations: StoredObservation[];
}

/** Sort/filter key of a phenomenonTime: the instant, or an interval's start. NaN when unparseable. */
function timeKey(phenomenonTime: unknown): number {
  if (typeof phenomenonTime !== 'string') return Number.NaN;
  const start = phenomenonTime.split('/')[0] ?? '';
  return Date.parse(start);
}

function sameId(a: number | string, b: number | string): boolean {
  return String(a) === String(b);
}

function project(entity: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return entity;
  const out: Record<string, unknown> = {};
  for (const raw of select.split(',')) {
    const key = raw.trim() === 'id' ? '@iot.id' : raw.trim();
    if (key in entity && entity[key] !== undefined) out[key] = entity[key];
  }
  return out;
}

export async function startFakeSensorThings(options: FakeSensorThingsOptions): Promise<FakeSensorThings> {
  const maxTop = options.maxTop ?? 100;
  const rootPath = (options.rootPath ?? '/FROST-Server/v1.1').replace(/\/+$/, '');
  let nextObservationId = 1;
  const datastreams: StoredDatastream[] = options.datastreams.map((ds) => ({
    ...ds,
    observations: ds.observations.map((o) => ({ ...o, '@iot.id': nextObservationId++ })),
  }));
  const requests: FakeRequest[] = [];
  const failures: { status: number; body?: string }[] = [];
  let origin = '';

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, message: string): void => send(res, status, { code: status, type: 'error', message });

  /** Builds `@iot.nextLink` from the request's own parameters with `$skip` moved on. */
  const nextLink = (path: string, params: URLSearchParams, skip: number, top: number): string => {
    const parts: string[] = [];
    for (const [k, v] of params) if (k !== '$skip' && k !== '$top') parts.push(`${k}=${encodeURIComponent(v)}`);
    parts.push(`$top=${top}`, `$skip=${skip}`);
    return `${options.nextLinkOrigin ?? origin}${rootPath}${path}?${parts.join('&')}`;
  };

  const paging = (params: URLSearchParams): { top: number; skip: number } | string => {
    const topRaw = params.get('$top');
    const skipRaw = params.get('$skip');
    const top = topRaw === null ? 100 : Number(topRaw);
    const skip = skipRaw === null ? 0 : Number(skipRaw);
    if (!Number.isInteger(top) || top < 0) return `Invalid $top: ${topRaw}`;
    if (!Number.isInteger(skip) || skip < 0) return `Invalid $skip: ${skipRaw}`;
    return { top: Math.min(top, maxTop), skip };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      headers: { ...req.headers },
    });
    const failure = failures.shift();
    if (failure) {
      if (failure.body !== undefined) send(res, failure.status, failure.body);
      else error(res, failure.status, `Simulated failure (echoing your credentials: ${req.headers.authorization ?? '-'})`);
      return;
    }
    if (req.method !== 'GET') return error(res, 405, 'Only GET is implemented by the fake');
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(rootPath + '/')) return error(res, 404, `Not a SensorThings path: ${url.pathname}`);
    const path = decodeURIComponent(url.pathname.slice(rootPath.length));
    const params = url.searchParams;
    const page = paging(params);
    if (typeof page === 'string') return error(res, 400, page);

    if (path === '/Datastreams') {
      const all = datastreams.map((ds) => ({
        '@iot.id': ds.id,
        name: ds.name,
        description: `Datastream ${ds.name}`,
        properties: ds.properties,
        unitOfMeasurement: ds.unitOfMeasurement ?? null,
        observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
      }));
      const value = all.slice(page.skip, page.skip + page.top).map((e) => project(e, params.get('$select')));
      const body: Record<string, unknown> = { value };
      if (page.skip + page.top < all.length) body['@iot.nextLink'] = nextLink(path, params, page.skip + page.top, page.top);
      return send(res, 200, body);
    }

    const m = /^\/Datastreams\((?:(\d+)|'((?:[^']|'')*)')\)\/Observations$/.exec(path);
    if (!m) return error(res, 404, `Not found: ${path}`);
    const id = m[1] !== undefined ? Number(m[1]) : (m[2] ?? '').replace(/''/g, "'");
    const ds = datastreams.find((d) => sameId(d.id, id) && typeof d.id === (m[1] !== undefined ? 'number' : 'string'));
    if (!ds) return error(res, 404, `Nothing found for Datastreams(${m[1] ?? `'${m[2]}'`})`);

    let list = [...ds.observations];
    const filter = params.get('$filter');
    if (filter !== null) {
      const f = /^\s*phenomenonTime\s+gt\s+(\S+)\s*$/i.exec(filter);
      const after = f ? Date.parse(f[1] ?? '') : Number.NaN;
      if (!f || Number.isNaN(after)) return error(res, 400, `Failed to parse $filter: ${filter}`);
      list = list.filter((o) => timeKey(o.phenomenonTime) > after);
    }
    const orderby = params.get('$orderby');
    if (orderby !== null) {
      if (!/^\s*phenomenonTime(\s+asc)?\s*$/i.test(orderby)) return error(res, 400, `Unsupported $orderby: ${orderby}`);
      const key = (o: StoredObservation): number => {
        const k = timeKey(o.phenomenonTime);
        return Number.isNaN(k) ? Number.NEGATIVE_INFINITY : k;
      };
      list.sort((a, b) => key(a) - key(b) || a['@iot.id'] - b['@iot.id']);
    }
    const value = list.slice(page.skip, page.skip + page.top).map((o) => project({ ...o, resultTime: null }, params.get('$select')));
    const body: Record<string, unknown> = { value };
    if (page.skip + page.top < list.length) body['@iot.nextLink'] = nextLink(path, params, page.skip + page.top, page.top);
    return send(res, 200, body);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      error(res, 500, e instanceof Error ? e.message : String(e));
    }
  });
  const port = await listenLoopback(server);
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}${rootPath}`,
    requests,
    addObservation(datastreamId, obs) {
      const ds = datastreams.find((d) => sameId(d.id, datastreamId));
      if (!ds) throw new Error(`fake SensorThings: no Datastream ${String(datastreamId)}`);
      ds.observations.push({ ...obs, '@iot.id': nextObservationId++ });
    },
    failNext(n, status, body) {
      for (let i = 0; i < n; i++) failures.push({ status, body });
    },
    close: () => closeServer(server),
  };
}
