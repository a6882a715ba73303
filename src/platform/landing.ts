import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/** The repository's README beside package.json (absent in an image that leaves it out). */
function findReadme(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      const readme = path.join(dir, 'README.md');
      return fs.existsSync(readme) ? readme : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /`: what this server is and where to go, in Chinese first and English. Every link is
 * a path on this hub. `GET /docs/README.md` serves the README as plain text.
 */
export function mountLanding(app: express.Express, opts: { ide: boolean; queueDashboard: boolean }): void {
  const readme = findReadme();
  const links: [href: string, zh: string, en: string][] = [
    ...(opts.ide ? [['/graphql', 'GraphQL 调试台（GraphiQL，离线可用）', 'GraphQL IDE (GraphiQL, works offline)'] as [string, string, string]] : []),
    ['/health', '健康检查（就绪时 200，启动中或数据库不可用时 503）', 'health check (200 when ready, 503 while starting or when the database is down)'],
    ['/metrics', 'Prometheus 指标', 'Prometheus metrics'],
    [
      '/admin/queues',
      opts.queueDashboard ? '任务队列看板（需系统管理员令牌）' : '任务队列看板（需 REDIS_URL）',
      opts.queueDashboard ? 'queue dashboard (SYSTEM_ADMIN token)' : 'queue dashboard (needs REDIS_URL)',
    ],
    ...(readme ? [['/docs/README.md', '使用说明（README）', 'documentation (README)'] as [string, string, string]] : []),
  ];
  const html = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>节水信用数据枢纽 · Water credit hub</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1b1f23}
h1{font-size:1.6rem;margin-bottom:.2rem}.en{color:#57606a}li{margin:.4rem 0}code{background:#f3f4f6;padding:0 .25rem}</style>
</head>
<body>
<h1>节水信用数据枢纽</h1>
<p class="en">Water-saving credit data hub</p>
<p>企业、取水许可、用水计划、计量与信用数据的 GraphQL 接口：<code>POST /graphql</code>（订阅：同一地址的 graphql-ws）。<br>
<span class="en">One GraphQL API for enterprise, permit, plan, metering and credit data: <code>POST /graphql</code> (subscriptions: graphql-ws on the same URL).</span></p>
<ul>
${links.map(([href, zh, en]) => `<li><a href="${href}">${escapeHtml(href)}</a> — ${escapeHtml(zh)}<br><span class="en">${escapeHtml(en)}</span></li>`).join('\n')}
</ul>
<p>令牌：业务用 <code>npm run hub -- token --role PROVINCE_AUTHORITY --region 130000</code>，运维用 <code>--role SYSTEM_ADMIN</code>（三员分立：系统、安全、审计管理员互不兼任，均不接触业务数据），以 <code>Authorization: Bearer &lt;token&gt;</code> 发送。<br>
<span class="en">Tokens: for business <code>npm run hub -- token --role PROVINCE_AUTHORITY --region 130000</code>, for operations <code>--role SYSTEM_ADMIN</code> (separated duties: the system, security and audit administrators are distinct and see no business data), sent as <code>Authorization: Bearer &lt;token&gt;</code>.</span></p>
</body>
</html>
`;
  app.get('/', (_req, res) => {
    res.type('html').send(html);
  });
  if (readme)
    app.get('/docs/README.md', (_req, res) => {
      res.type('text/plain; charset=utf-8').send(fs.readFileSync(readme, 'utf8'));
    });
}

/**
 * `/admin/queues` where there is no queue dashboard (no Redis: jobs run in-process): a
 * clear 404 in Chinese and English instead of Express's bare "Cannot GET".
 */
export function mountQueueDashboardUnavailable(app: express.Express, dashboardPath: string): void {
  app.use(dashboardPath, (_req, res) => {
    res
      .status(404)
      .type('text/plain; charset=utf-8')
      .send(
        '任务队列看板需要 Redis：设置 REDIS_URL（如 redis://127.0.0.1:6379）后重启。当前为嵌入模式，任务在进程内运行，没有可查看的队列。\n' +
          'The queue dashboard needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379) and restart. Without it jobs run in-process and there are no queues to show.\n',
      );
  });
}
