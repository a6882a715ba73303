import http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import express from 'express';
import { securityHeaders } from './security-headers';

/**
 * `/metrics` protection (issue 11 item 6): behind a bearer token (`HUB_METRICS_TOKEN`) and/or on a listener of its own
 * (`HUB_METRICS_PORT`, where nothing but /metrics is served; the main port then answers 404 for it). Production needs
 * one of them (config.ts refuses to start otherwise); outside production /metrics stays open on the main port.
 */
export interface MetricsAccess {
  token?: string;
  port?: number;
}

type Scrape = (req: express.Request, res: express.Response) => Promise<void>;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries the metrics token (compared in constant time). */
function authorised(req: express.Request, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return Boolean(m) && timingSafeEqual(digest(m![1].trim()), digest(token));
}

function guarded(scrape: Scrape, token: string | undefined): express.RequestHandler {
  return (req, res, next) => {
    if (!authorised(req, token)) {
      res
        .status(401)
        .set('www-authenticate', 'Bearer realm="metrics"')
        .json({
          errors: [{ message: '需要指标令牌 / /metrics needs the metrics bearer token (HUB_METRICS_TOKEN).', extensions: { code: 'UNAUTHENTICATED' } }],
        });
      return;
    }
    scrape(req, res).catch(next);
  };
}

/** Mounts GET /metrics on the main app unless a port of its own serves it. */
export function mountMetrics(app: express.Express, access: MetricsAccess, scrape: Scrape): void {
  if (access.port !== undefined) return;
  app.get('/metrics', guarded(scrape, access.token));
}

/** The metrics-only listener on `access.port`, when configured; `close()` stops it. */
export function metricsListener(access: MetricsAccess, scrape: Scrape): { listen(host: string): Promise<number>; close(): Promise<void> } | undefined {
  if (access.port === undefined) return undefined;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders({ hsts: false }));
  app.get('/metrics', guarded(scrape, access.token));
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Only /metrics is served on this port.', extensions: { code: 'NOT_FOUND' } }] });
  });
  const server = http.createServer(app);
  return {
    listen: (host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(access.port, host, () => {
          const a = server.address();
          resolve(typeof a === 'object' && a ? a.port : access.port!);
        });
      }),
    close: () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())),
  };
}
