import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, GraphQLSchema, ValidationRule, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { appendAudit } from '../../modules/audit/audit.repository';
import { CreditPolicy } from '../../modules/policy/credit-policy';
import { PUBLIC_PRINCIPAL, Principal, verifyToken } from '../auth/principal';
import { HubContext } from '../context';
import { Database } from '../db';
import { createLoaders } from '../loaders';
import { logger } from '../logger';
import { subscriptionsActive } from '../metrics';
import { MAX_TOKENS } from './armor';

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  jwtSecret: string;
  db: Database;
  policies: CreditPolicy[];
  /** The same operation limits as HTTP (graphql-armor's rules). */
  validationRules: ValidationRule[];
  isReady(): boolean;
}

/** The token from a connection_init payload: `{"authorization": "Bearer …"}` (or `Authorization`, or `token`). */
export function tokenFromInit(params: Record<string, unknown> | undefined): string | null {
  const raw = params?.authorization ?? params?.Authorization ?? params?.token;
  if (typeof raw !== 'string' || !raw.trim()) return null;
  return raw.replace(/^Bearer\s+/i, '').trim();
}

type Extra = { principal?: Principal };

/**
 * graphql-ws on the HTTP server's `/graphql` path. The token goes in `connection_init`
 * (verified like the Authorization header: a bad one closes the socket with 4401 and the
 * reason); each operation is parsed with the same token limit and validated with the same
 * rules as over HTTP; only subscriptions run here, so every mutation stays on the audited
 * HTTP path.
 */
export function attachSubscriptions(server: http.Server, opts: SubscriptionServerOptions): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const rules = [...specifiedRules, ...opts.validationRules];
  const handle = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: opts.schema,
      connectionInitWaitTimeout: 10_000,
      onConnect(ctx) {
        if (!opts.isReady()) {
          ctx.extra.socket.close(1013, 'The hub is starting; retry shortly.');
          return false;
        }
        const token = tokenFromInit(ctx.connectionParams);
        try {
          ctx.extra.principal = token ? verifyToken(token, opts.jwtSecret) : PUBLIC_PRINCIPAL;
        } catch (e) {
          ctx.extra.socket.close(4401, `Unauthorized: ${(e as Error).message}`.slice(0, 120));
          return false;
        }
        subscriptionsActive.inc();
        return true;
      },
      onDisconnect() {
        subscriptionsActive.dec();
      },
      onSubscribe(ctx, _id, payload) {
        let document;
        try {
          document = parse(payload.query, { maxTokens: MAX_TOKENS });
        } catch (e) {
          return [e as GraphQLError];
        }
        const errors = validate(opts.schema, document, rules);
        if (errors.length) return errors;
        const op = getOperationAST(document, payload.operationName);
        if (!op) return [new GraphQLError('Name the operation to run (operationName).', { extensions: { code: 'BAD_USER_INPUT' } })];
        if (op.operation !== 'subscription')
          return [new GraphQLError(`Only subscriptions run over WebSocket; send ${op.operation === 'query' ? 'queries' : 'mutations'} as HTTP POST to /graphql.`, { extensions: { code: 'BAD_USER_INPUT' } })];
        const context: HubContext = {
          principal: ctx.extra.principal ?? PUBLIC_PRINCIPAL,
          db: opts.db,
          manager: opts.db.manager,
          loaders: createLoaders(opts.db.manager),
          policies: opts.policies,
          requestId: `ws:${randomUUID()}`,
          personalDataRead: new Set(),
        };
        return { schema: opts.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: context };
      },
      async onNext(_ctx, _id, _payload, args) {
        // An authority's subscription that selected personal data unmasked: audited like an HTTP read.
        const c = args.contextValue as HubContext;
        if (!c.personalDataRead.size) return;
        const ids = [...c.personalDataRead];
        c.personalDataRead.clear();
        await appendAudit(c.manager, c.principal, { action: 'readPersonalData', targetType: 'enterprise', targetId: ids.length === 1 ? ids[0] : null, outcome: 'OK', detail: { enterpriseIds: ids, operation: 'subscription' } }).catch(
          (err) => logger.error({ err }, 'audit append failed'),
        );
      },
    },
    wss,
  );
  return {
    async dispose() {
      await handle.dispose();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
