import 'reflect-metadata';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import { HubConfig } from './platform/config';
import { HubContext, HubDeps, createContext } from './modules/context';
import { mountAuditExport } from './modules/audit/audit.export';
import { resultReadPlugin } from './modules/grant/result-read.plugin';
import { deliveryReadLog } from './modules/enterprise/result-delivery-log';
import { purposeFromHeader } from './modules/enterprise/result-access';
import { langFromAcceptLanguage } from './platform/lang';
import { Database } from './platform/db';
import { logger } from './platform/logger';
import { maskUnexpected } from './platform/graphql/unexpected-errors';
import { jsonErrorHandler } from './platform/http-errors';
import { graphqlExecutions, graphqlRequests, registry, setOverdueReader } from './platform/metrics';
import { worklistService } from './modules/worklist/worklist.service';
import { PUBLIC_PRINCIPAL, Principal, RejectionCode, rejectedPrincipal, rejectionCodeOf, tokenRejection } from './platform/auth/principal';
import { TokenVerifier, createTokenVerifier } from './platform/auth/token-verifier';
import { RevocationList } from './platform/auth/revocation-list';
import { auditSignInRefused } from './modules/audit/sign-in.audit';
import { auditPlugin, auditRefusedOverWebSocket, auditSubscriptionRead } from './modules/audit/audit.plugin';
import { CreditPolicy, policyOutlook } from './modules/policy/credit-policy';
import type { PolicyRegistry } from './modules/policy/policy-registry';
import { hubSchema } from './schema';
import { jitGateway } from './platform/graphql/jit-executor';
import { armor } from './platform/graphql/armor';
import { requestErrorStatusPlugin } from './platform/graphql/http-status';
import { idempotencyPlugin } from './modules/idempotency/idempotency.plugin';
import { InProcessJobQueue, RedisJobQueue } from './platform/queue';
import { hubJobs } from '../jobs';
import { outboundPolicy } from './platform/net/address-policy';
import type { JobsHandle } from './workers';
import { DASHBOARD_PATH, mountQueueDashboard } from './platform/queue-dashboard';
import { mountIde } from './platform/ide';
import { mountLanding, mountQueueDashboardUnavailable } from './platform/landing';
import { operationLabel } from './platform/graphql/operation-label';
import { attachSubscriptions } from './platform/graphql/subscriptions';
import { RedisRatingFeed, ratingChannel } from './modules/rating-feed/rating-bus';
import { useDataKeys } from './platform/crypto/keyring';
import { introspectionPlugin } from './platform/graphql/introspection';
import { securityHeaders } from './platform/http/security-headers';
import { metricsListener, mountMetrics } from './platform/http/metrics-endpoint';
import { InProcessCounter, RateCounter, RedisCounter, rateLimitCheck, rateLimitPlugin } from './platform/http/rate-limit';

export interface Hub {
  app: express.Express;
  server: http.Server;
  db: Database;
  /** Listens on `port` (0 = any free port) at `host` (loopback by default) and resolves the base URL; `/health` and `/graphql` answer 503 until `markReady()`. */
  listen(port: number, host?: string): Promise<string>;
  /** The port of the metrics-only listener (HUB_METRICS_PORT; 0 = any free port), once listening. */
  metricsPort(): number | undefined;
  /** Migrations (and the demo seed) are done: serve. */
  markReady(): void;
  stop(): Promise<void>;
}

/**
 * Times operations for `/metrics`, by operation type and root field (`operationLabel`). With graphql-jit off, counts each
 * execution as interpreted (the jit executor counts its own, compiled or not).
 */
function metricsPlugin(jit: boolean): ApolloServerPlugin<HubContext> {
  return {
    requestDidStart() {
      const end = graphqlRequests.startTimer();
      return Promise.resolve({
        ...(jit
          ? {}
          : {
              executionDidStart() {
                graphqlExecutions.inc({ executor: 'interpreted' });
                return Promise.resolve();
              },
            }),
        willSendResponse({ schema, operation, errors, response }) {
          const failed = Boolean(errors?.length) || (response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length));
          // Labelled from the schema, never by the client-chosen operation name (an unbounded label set).
          end({ operation: operationLabel(schema, operation), outcome: failed ? 'error' : 'ok' });
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * The caller, from the Authorization header. A refused token does not throw here (Apollo would answer before any plugin
 * ran, so a refused mutation left no audit entry): it yields a principal that carries the reason, refused by
 * `rejectedTokenPlugin` for every operation and on record for mutations.
 */
async function principalFrom(req: express.Request, verifier: TokenVerifier, onRefused?: (code: RejectionCode) => Promise<void>): Promise<Principal> {
  const header = req.headers.authorization;
  if (!header) return PUBLIC_PRINCIPAL;
  const m = /^Bearer\s+(.+)$/i.exec(header);
  let refused: Principal;
  if (!m) refused = rejectedPrincipal('Authorization header must be "Bearer <token>".', 'MALFORMED_HEADER');
  else
    try {
      return await verifier.verify(m[1].trim());
    } catch (e) {
      refused = rejectedPrincipal((e as GraphQLError).message, rejectionCodeOf(e));
    }
  await onRefused?.(refused.rejectedCode ?? 'MALFORMED_TOKEN');
  return refused;
}

/**
 * A request whose token was refused: UNAUTHENTICATED with HTTP 401 whatever it asks, before anything executes (and in
 * place of a syntax or validation error, as when the context function refused it). The audit plugin records a refused mutation.
 */
function rejectedTokenPlugin(): ApolloServerPlugin<HubContext> {
  return {
    requestDidStart({ contextValue }) {
      const refusal = tokenRejection(contextValue.principal);
      if (!refusal) return Promise.resolve();
      return Promise.resolve({
        didResolveOperation: () => Promise.reject(refusal),
        willSendResponse({ response }) {
          const reason = contextValue.principal.rejectedCode;
          response.body = { kind: 'single', singleResult: { errors: [{ message: refusal.message, extensions: { code: 'UNAUTHENTICATED', reason } }] } };
          response.http.status = 401;
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * Builds the hub's HTTP side: Apollo Server on `/graphql` (graphql-ws subscriptions on the same path), `GET /health` (200 once ready,
 * 503 while starting or when the database is down) and `GET /metrics` (Prometheus).
 */
export async function createHub(
  config: HubConfig,
  db: Database,
  /** Without `jobs`: the policies (or registry) this hub's contexts use; with `jobs`, the registry of `jobs.deps` is used. */
  policies: readonly CreditPolicy[] | PolicyRegistry,
  jobs?: Pick<JobsHandle, 'queue' | 'deps'>,
): Promise<Hub> {
  useDataKeys(config.dataKeys); // every read and write of encrypted columns in this process uses the configured keys
  const queue = jobs?.queue;
  // Without a job runtime (health checks, benchmarks) work is queued in-process and never run.
  const deps: HubDeps =
    jobs?.deps ??
    hubJobs(new InProcessJobQueue(), {
      database: db,
      policies,
      webhooks: { policy: outboundPolicy(config.notify), retryScale: config.notify.retryScale, creditPlatform: config.notify.creditPlatform },
    }).deps;
  const app = express();
  app.disable('x-powered-by');
  // Client addresses (rate limits, audit) from X-Forwarded-For only behind a configured proxy (HUB_TRUST_PROXY).
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders({ hsts: config.hsts }));
  app.set('etag', false); // GraphQL answers are not cacheable by URL; hashing each body costs CPU
  const server = http.createServer(app);
  let ready = false;
  // Sign-in: dev tokens and/or an OpenID provider (discovered now; a provider that does not answer is logged, its
  // tokens refused with the reason until it does), then the revocation list every process shares through the database.
  const revocations = new RevocationList(db, config.auth.revocationRefreshMs);
  const verifier = createTokenVerifier(config.auth, config.jwtSecret, revocations);
  await verifier.start();
  await revocations.start();
  // One entry per refused request (a flood of bad tokens is a flood of entries, each small): the reason, never the token.
  const refusedOver = (transport: string) => (code: RejectionCode) =>
    auditSignInRefused(db.manager, code, transport).catch((err: unknown) => logger.error({ err }, 'audit append failed'));
  let metricsPort: number | undefined;

  app.get('/health', async (req, res) => {
    const dbUp = await db.ping();
    const status = ready && dbUp ? 'ok' : !dbUp ? 'database unreachable' : 'starting';
    const body: Record<string, unknown> = { status, database: dbUp ? 'up' : 'down', embedded: db.embedded, policy: policyOutlook(deps.policies.current()) };
    // Redis (when configured): down is "degraded", still 200: reads and most writes work, queued work waits for it.
    if (queue instanceof RedisJobQueue) {
      const redisUp = await queue.reachable();
      body.redis = redisUp ? 'up' : 'down';
      if (status === 'ok' && !redisUp) body.status = 'degraded: Redis unreachable (jobs cannot be queued)';
    }
    // Details for a system administrator's (SYSTEM_ADMIN) bearer token (verified as /graphql does); anyone else, a refused token included, gets
    // the plain answer (a probe must not fail on a header), and nothing is read while the database is down or migrating.
    if (status === 'ok' && req.headers.authorization && (await principalFrom(req, verifier)).role === 'SYSTEM_ADMIN') {
      body.work = await worklistService.healthDetails(db.manager);
    }
    res.status(status === 'ok' ? 200 : 503).json(body);
  });
  // GraphiQL from the hub's own files (no CDN); the page loads while starting, its queries get the 503 below.
  mountIde(app, config.ide);
  app.use('/graphql', (_req, res, next) => {
    if (ready) return next();
    res.status(503).json({ errors: [{ message: 'The hub is starting (migrations running); retry shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  });
  if (queue instanceof RedisJobQueue) mountQueueDashboard(app, queue, verifier);
  else mountQueueDashboardUnavailable(app, DASHBOARD_PATH);
  mountLanding(app, { ide: config.ide, queueDashboard: queue instanceof RedisJobQueue });
  // The audit administrator's streamed export (AUDIT_ADMIN bearer token; audited).
  mountAuditExport(app, async (req) =>
    createContext(deps, {
      principal: await principalFrom(req, verifier, refusedOver('http')),
      requestId: randomUUID(),
      clientAddress: req.ip ?? req.socket.remoteAddress,
    }),
  );
  // hub_work_overdue is read at scrape time from this hub's database (src/platform/metrics.ts says why).
  setOverdueReader(() => (ready ? worklistService.overdueByKind(db.manager) : Promise.resolve({})));
  // /metrics: open outside production; a bearer token and/or a port of its own (HUB_METRICS_TOKEN, HUB_METRICS_PORT).
  const scrape = async (_req: express.Request, res: express.Response) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  mountMetrics(app, config.metrics, scrape);
  const metricsServer = metricsListener(config.metrics, scrape);

  const limits = armor(config.nodeEnv === 'production');
  const rateCounter: RateCounter = config.redisUrl
    ? new RedisCounter(config.redisUrl, config.queuePrefix, config.queueTiming.commandTimeoutMs)
    : new InProcessCounter();
  if (rateCounter instanceof RedisCounter) await rateCounter.ready();
  const schema = await hubSchema();
  const apollo = new ApolloServer<HubContext>({
    ...(config.graphqlJit ? { gateway: jitGateway(schema) } : { schema }),
    introspection: true,
    // main.ts owns shutdown; Apollo's own handler would re-send the signal mid-stop.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: config.nodeEnv !== 'production',
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads Sandbox from a CDN; mountIde serves GraphiQL instead.
      ApolloServerPluginLandingPageDisabled(),
      rejectedTokenPlugin(),
      rateLimitPlugin(config.rateLimits, rateCounter),
      introspectionPlugin(config.introspection),
      requestErrorStatusPlugin(),
      ...(limits.plugins as ApolloServerPlugin<HubContext>[]),
      auditPlugin(),
      idempotencyPlugin(),
      resultReadPlugin(),
      metricsPlugin(config.graphqlJit),
    ],
    // The same masking as the WebSocket path (maskUnexpected): logged by codes under an errorId, a database error's text replaced.
    formatError: (formatted, error) => {
      if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
      const raw =
        error instanceof GraphQLError
          ? error
          : new GraphQLError(formatted.message, { originalError: error instanceof Error ? error : undefined, path: formatted.path });
      const masked = maskUnexpected(raw);
      return masked === raw ? formatted : { message: masked.message, locations: formatted.locations, path: formatted.path, extensions: masked.extensions };
    },
  });
  await apollo.start();
  // graphql-ws on the same port and path; rating changes reach it from Redis (any instance's relay) or in-process.
  const subscriptions = attachSubscriptions(server, {
    schema,
    verifier,
    revocations,
    auditSignInRefused: refusedOver('websocket'),
    context: (principal, requestId, lang, purpose) => createContext(deps, { principal, requestId, lang, purpose }),
    validationRules: limits.validationRules,
    checkCost: limits.checkCost,
    production: config.nodeEnv === 'production',
    introspection: config.introspection,
    isReady: () => ready,
    rateLimit: (caller, op, document) => rateLimitCheck(config.rateLimits, rateCounter, caller, op, document),
    auditPersonalRead: auditSubscriptionRead,
    auditRefusedMutation: auditRefusedOverWebSocket,
  });
  const feed = config.redisUrl ? new RedisRatingFeed(config.redisUrl, ratingChannel(config.queuePrefix), db) : undefined;
  await feed?.start();
  app.use(
    '/graphql',
    express.json({ limit: '5mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<HubContext> =>
        createContext(deps, {
          principal: await principalFrom(req, verifier, refusedOver('http')),
          requestId: (req.headers['x-request-id'] as string) ?? randomUUID(),
          lang: langFromAcceptLanguage(req.headers['accept-language']),
          clientAddress: req.ip ?? req.socket.remoteAddress,
          purpose: purposeFromHeader(req.headers['x-purpose']),
        }),
    }),
  );
  // After every route: JSON errors with a code, never Express's default page (it echoes the body).
  app.use(jsonErrorHandler);

  return {
    app,
    server,
    db,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          const bound = typeof addr === 'object' && addr ? addr.port : port;
          // Every interface: print localhost; a specific address: that address (localhost may resolve to ::1 first).
          const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
          const base = `http://${shown}:${bound}`;
          if (!metricsServer) return resolve(base);
          metricsServer.listen(host).then((p) => {
            metricsPort = p;
            resolve(base);
          }, reject);
        });
      }),
    metricsPort: () => metricsPort,
    markReady() {
      ready = true;
    },
    async stop() {
      ready = false;
      await subscriptions.dispose();
      // The reads of the changes handed to subscribers before the sockets closed (Art. 23).
      await deliveryReadLog.flush();
      await feed?.stop();
      await revocations.stop();
      await apollo.stop();
      await rateCounter.close();
      await metricsServer?.close();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
