import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express from 'express';
import type { TokenVerifier } from './auth/token-verifier';
import { RedisJobQueue } from './queue';

export const DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'hub_admin';

function tokenFrom(req: express.Request): string | undefined {
  const header = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (header) return header;
  if (typeof req.query.token === 'string') return req.query.token;
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === COOKIE);
  return cookie ? decodeURIComponent(cookie[1]) : undefined;
}

/**
 * The queue dashboard (@bull-board) at /admin/queues, for SYSTEM_ADMIN tokens only. Open
 * `/admin/queues?token=<system admin token>` once; the token is then kept in an HttpOnly cookie.
 */
export function mountQueueDashboard(app: express.Express, queue: RedisJobQueue, verifier: TokenVerifier): void {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queue.queuesForDashboard().map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  app.use(
    DASHBOARD_PATH,
    async (req, res, next) => {
      const token = tokenFrom(req);
      try {
        if (!token || (await verifier.verify(token)).role !== 'SYSTEM_ADMIN') throw new Error('not a system administrator');
      } catch {
        res
          .status(token ? 403 : 401)
          .json({ error: '队列面板需要系统管理员令牌 / The queue dashboard needs a SYSTEM_ADMIN token: open /admin/queues?token=<token>' });
        return;
      }
      if (req.query.token) res.cookie?.(COOKIE, token, { httpOnly: true, sameSite: 'strict', path: DASHBOARD_PATH });
      next();
    },
    // During a Redis outage every dashboard call would hang on its commands: say so at once.
    (_req, res, next) => {
      void queue.reachable().then((up) => {
        if (up) return next();
        res.status(503).json({
          errors: [
            {
              message: '任务队列（Redis）不可达，队列面板暂不可用 / The job queue (Redis) is unreachable; the dashboard is unavailable until it is back.',
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            },
          ],
        });
      });
    },
    // bull-board types its router as any; it is an express Router.
    adapter.getRouter() as express.Router,
  );
}
