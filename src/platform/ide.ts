import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/** Where the IDE's files are served; the page itself is at GET /graphql (browsers) and /graphiql. */
export const IDE_ASSETS_PATH = '/graphiql/assets';

const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/**
 * The files GraphiQL needs, all from the hub's own npm dependencies: React 18's and
 * GraphiQL 4's prebuilt browser bundles (no bundler, no CDN), graphql-ws's for
 * subscriptions. Read when first asked for, then kept in memory.
 */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'react.js': { file: () => path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: () => path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: () => path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
  'graphql-ws.js': { file: () => path.join(packageDir('graphql-ws'), 'umd/graphql-ws.min.js'), type: 'text/javascript' },
};

const DEFAULT_QUERY = `# 节水信用数据枢纽 · GraphQL 调试台（离线可用）
# Water credit hub · GraphQL IDE (works offline)
#
# 令牌填在下方 Headers：Put the token in Headers below:
#   { "Authorization": "Bearer <token>" }
# 令牌 / token: printed by npm start,
#   or: npm run hub -- token --role PROVINCE_AUTHORITY --region 130000
#   (运维 / operations: --role SYSTEM_ADMIN)
# 无令牌即公众身份。No token: PUBLIC.

query Dashboard {
  creditPolicies { version }
  enterprises(first: 5) {
    totalCount
    edges { node { creditCode name regionCode } }
  }
}
`;

/** The page's own script (a file, not inline, so a strict Content-Security-Policy can forbid inline scripts). */
const IDE_SCRIPT = `(function () {
  'use strict';
  var httpUrl = new URL('/graphql', window.location.href).href;
  var wsUrl = httpUrl.replace(/^http/, 'ws');
  var http = GraphiQL.createFetcher({ url: httpUrl });
  function isSubscription(params, doc) {
    if (!doc) return false;
    return doc.definitions.some(function (d) {
      return d.kind === 'OperationDefinition' && d.operation === 'subscription' && (!params.operationName || (d.name && d.name.value === params.operationName));
    });
  }
  // Subscriptions over graphql-ws on the same URL; the token of the Headers editor goes in connection_init.
  function fetcher(params, opts) {
    if (!isSubscription(params, opts && opts.documentAST)) return http(params, opts);
    var headers = (opts && opts.headers) || {};
    var auth = headers.Authorization || headers.authorization;
    var client = graphqlWs.createClient({ url: wsUrl, connectionParams: auth ? { authorization: auth } : {}, retryAttempts: 0 });
    var it = client.iterate(params);
    return {
      next: function () { return it.next(); },
      return: function () {
        return Promise.resolve(it.return && it.return()).then(function () { client.dispose(); return { done: true, value: undefined }; });
      },
      [Symbol.asyncIterator]: function () { return this; }
    };
  }
  var config = JSON.parse(document.getElementById('ide-config').textContent);
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: config.defaultQuery, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: false })
  );
})();
`;

/** JSON inside a <script type="application/json"> element: `<` escaped so no text can close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** The IDE page: every URL in it is a path on this hub. */
export function ideHtml(): string {
  const a = (name: string) => `${IDE_ASSETS_PATH}/${name}`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphQL 调试台 · Water credit hub GraphQL IDE</title>
<link rel="stylesheet" href="${a('graphiql.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">正在加载 GraphQL 调试台… Loading the GraphQL IDE…</div>
<noscript>GraphQL 调试台需要 JavaScript。The GraphQL IDE needs JavaScript; POST queries to /graphql with any client.</noscript>
<script type="application/json" id="ide-config">${scriptJson({ defaultQuery: DEFAULT_QUERY })}</script>
<script src="${a('react.js')}"></script>
<script src="${a('react-dom.js')}"></script>
<script src="${a('graphql-ws.js')}"></script>
<script src="${a('graphiql.js')}"></script>
<script src="${a('ide.js')}"></script>
</body>
</html>
`;
}

/** A browser navigating to the URL (HTML preferred over JSON, no `query` parameter), not a GraphQL client's GET. */
export function wantsPage(req: express.Request): boolean {
  return req.method === 'GET' && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html';
}

/**
 * Mounts GraphiQL at GET /graphql (for browsers) and /graphiql, with its files under
 * /graphiql/assets. When `enabled` is false (production without HUB_IDE=true) a browser
 * gets a short page saying how to enable it, and the assets are not served.
 * The API enforces access as for any client: the token goes in the IDE's Headers.
 */
export function mountIde(app: express.Express, enabled: boolean): void {
  const cache = new Map<string, Buffer>();
  const page = (_req: express.Request, res: express.Response) => {
    if (!enabled) {
      res
        .status(404)
        .type('text/plain; charset=utf-8')
        .send(
          'GraphQL 调试台在生产环境默认关闭；设置 HUB_IDE=true 后重启即可开启。\nThe GraphQL IDE is off in production; set HUB_IDE=true and restart to serve it.\nPOST GraphQL operations to /graphql with any client.\n',
        );
      return;
    }
    res.set('cache-control', 'no-cache').type('html').send(ideHtml());
  };
  app.get('/graphql', (req, res, next) => (wantsPage(req) ? page(req, res) : next()));
  app.get('/graphiql', page);
  app.get(`${IDE_ASSETS_PATH}/:name`, (req, res, next) => {
    const name = req.params.name;
    if (!enabled || (name !== 'ide.js' && !Object.hasOwn(ASSETS, name))) return next();
    let body = cache.get(name);
    if (!body) {
      body = name === 'ide.js' ? Buffer.from(IDE_SCRIPT) : fs.readFileSync(ASSETS[name].file());
      cache.set(name, body);
    }
    res
      .set('cache-control', 'public, max-age=3600')
      .type(name === 'ide.js' ? 'text/javascript' : ASSETS[name].type)
      .send(body);
  });
}
