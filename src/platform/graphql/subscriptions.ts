import http from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLSchema,
  OperationDefinitionNode,
  OperationTypeNode,
  ValidationRule,
  createSourceEventStream,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { WebSocket, WebSocketServer } from 'ws';
import { closeReason, serveGraphqlWs } from './ws-adapter';
import { PUBLIC_PRINCIPAL, Principal, RejectionCode, rejectionCodeOf } from '../auth/principal';
import type { TokenVerifier } from '../auth/token-verifier';
import { introspectionRefusal } from './introspection';
import { Context } from '../context';
import { Lang, langFromAcceptLanguage, langFromConnectionParams } from '../lang';
import { logger } from '../logger';
import { wsConnections, wsSubscriptions } from '../metrics';
import { MAX_TOKENS } from './armor';
import { CostChecker } from './cost';
import { nulProblem } from './nul-guard';
import { PERSONAL_READERS, hasRole } from '../auth/access.rules';
import { maskResult, maskUnexpected } from './unexpected-errors';
import { SharedFanout } from './fanout';
import { isPushSource } from './push-source';

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  /** The hub's token verifier (the same as over HTTP). */
  verifier: TokenVerifier;
  /** Calls back after each reload of the revocation list: open sockets of tokens revoked meanwhile close (4403). */
  revocations?: { onChange(fn: () => void): void };
  /** Records a refused sign-in (a refused token in connection_init): the reason code, never the token. */
  auditSignInRefused?(reason: RejectionCode): Promise<void>;
  /** Makes the context of one operation (the application's `createContext`); `purpose`: what the connection stated it reads results for (connectionParams `purpose`). */
  context(principal: Principal, requestId: string, lang: Lang, purpose: string | null): Context;
  /** The same operation limits as HTTP (graphql-armor's rules). */
  validationRules: ValidationRule[];
  /** The same cost check on the coerced variables as HTTP. */
  checkCost: CostChecker;
  production: boolean;
  /** Introspection open to anonymous callers (outside production, or HUB_INTROSPECTION=true). */
  introspection: boolean;
  isReady(): boolean;
  /** The HTTP path's rate limits (src/platform/http/rate-limit.ts): a refusal for this caller's operation, or null. */
  rateLimit?(caller: { principal: Principal; clientAddress?: string }, op: OperationDefinitionNode, document: DocumentNode): Promise<GraphQLError | null>;
  /** Records that a subscription's message carried personal data unmasked (the audit module's, passed in: platform imports no module). */
  auditPersonalRead(ctx: Context, enterpriseIds: string[]): Promise<void>;
  /** Records a mutation refused here (mutations run over HTTP only), one entry per mutation field, with the refusing code. */
  auditRefusedMutation(
    ctx: Context,
    schema: GraphQLSchema,
    document: DocumentNode,
    op: OperationDefinitionNode,
    variables: Record<string, unknown>,
    outcome: string,
  ): Promise<void>;
}

/** The token from a connection_init payload: `{"authorization": "Bearer …"}` (or `Authorization`, or `token`). */
export function tokenFromInit(params: Record<string, unknown> | undefined): string | null {
  const raw = params?.authorization ?? params?.Authorization ?? params?.token;
  if (typeof raw !== 'string' || !raw.trim()) return null;
  return raw.replace(/^Bearer\s+/i, '').trim();
}

type Extra = { principal?: Principal; lang?: Lang; purpose?: string | null };

/** The purpose a connection states in connection_init (`{"purpose": "联合奖惩"}`): trimmed, at most 500 characters; none when blank or not a string. */
export function purposeFromInit(params: Record<string, unknown> | undefined): string | null {
  const raw = params?.purpose;
  if (typeof raw !== 'string' || !raw.trim()) return null;
  return [...raw.trim()].slice(0, 500).join('');
}

/** A dashboard needs a handful; a client opening thousands on one socket is a mistake or an attack. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 25;

/** Operation texts whose parsed document is kept (oldest dropped first), each at most this long: a few MB at most, whatever clients send. */
const DOCUMENT_MEMO = 200;
const DOCUMENT_MEMO_CHARS = 4_000;

/**
 * Which subscribers may share an answer: the same operation text, operation name and
 * variables, asked with the same rights (role, jurisdiction, own code). Roles that may see
 * personal data unmasked never share: each of their reads is audited in their own context.
 */
function shareKey(query: string, operationName: string | null | undefined, variables: unknown, p: Principal, lang: Lang): string | null {
  if (hasRole(p, PERSONAL_READERS)) return null;
  // The language too: texts (reasons, measures) differ by it.
  return JSON.stringify([query, operationName ?? null, variables ?? null, p.role, [...p.regions].sort(), p.creditCode ?? null, lang]);
}

/** Per event (the object every subscriber of this process receives), the answer per share key. */
const answers = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
/** Per operation context: its share key, and where its messages go (graphql-ws's id, the socket). */
const shared = new WeakMap<object, { key: string; id: string; socket: WebSocket }>();

/**
 * graphql-js executes a subscription's selection once per event and subscriber; with a
 * thousand dashboards on one query that is a thousand identical executions. Subscribers
 * with a share key whose source can push (the rating bus's streams) join the shared
 * fan-out (fanout.ts): one execution and one serialisation per event and key, the
 * subscription id spliced into the JSON, written straight to the socket. Others with a key
 * still share the execution through `answers`; the rest (the roles reading personal data)
 * run per subscriber. The source stream (the resolver's `subscribe`: auth, filters, the
 * delivery log) stays per subscriber on every path.
 */
async function sharedSubscribe(args: ExecutionArgs, fanout: SharedFanout): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in (source as object))) return source as ExecutionResult;
  const where = shared.get(args.contextValue as object);
  if (where && isPushSource(source)) return fanout.attach(where.key, { id: where.id, socket: where.socket, args }, source);
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  wsSubscriptions.inc();
  let open = true;
  const ended = () => {
    if (open) wsSubscriptions.dec();
    open = false;
  };
  const key = where?.key;
  const answer = (event: unknown): Promise<ExecutionResult> => {
    if (typeof event !== 'object' || event === null || !key) return Promise.resolve(execute({ ...args, rootValue: event }));
    let byKey = answers.get(event);
    if (!byKey) answers.set(event, (byKey = new Map<string, Promise<ExecutionResult>>()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = Promise.resolve(execute({ ...args, rootValue: event }))));
    return result;
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await it.next().catch((e: unknown) => {
        ended();
        throw e;
      });
      if (r.done) ended();
      return r.done ? { value: undefined, done: true } : { value: await answer(r.value), done: false };
    },
    async return() {
      ended();
      await it.return?.();
      return { value: undefined, done: true };
    },
    async throw(e: unknown) {
      ended();
      await it.return?.();
      throw e;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. The token goes in `connection_init`
 * (verified like the Authorization header: a bad one closes the socket with 4401 and the
 * reason); each operation is parsed with the same token limit and validated with the same
 * rules as over HTTP; only subscriptions run here, so every mutation stays on the audited
 * HTTP path.
 */
export function attachSubscriptions(server: http.Server, opts: SubscriptionServerOptions): { dispose(): Promise<void> } {
  // Operations are small; HTTP takes at most 5 MB, a socket message far less.
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: 256 * 1024 });
  const rules = [...specifiedRules, ...opts.validationRules];
  // Parsed operations by their text: a thousand dashboards subscribe with the same one (graphql-js never changes a document).
  const documents = new Map<string, DocumentNode>();
  // The open sockets that signed in, by their principal: re-checked whenever the revocation list changes.
  const authenticated = new Map<{ close(code: number, reason: string): void }, Principal>();
  opts.revocations?.onChange(() => {
    for (const [socket, p] of authenticated)
      if (opts.verifier.isRevoked(p)) {
        authenticated.delete(socket);
        socket.close(4403, 'Forbidden: the token has been revoked; sign in again.');
      }
  });
  // As over HTTP in production (graphql-armor's blockFieldSuggestion): no "Did you mean …?" hints.
  /** The code HTTP answers carry for a document refused before it runs (Apollo's), so a client reads both paths alike. */
  const coded = (e: GraphQLError, code: string) =>
    new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } });
  const hideSuggestions = (errors: readonly GraphQLError[]) =>
    opts.production ? errors.map((e) => new GraphQLError(e.message.replace(/ ?Did you mean .*\?$/, ''), { nodes: e.nodes, extensions: e.extensions })) : errors;
  // Subscriptions' personal-data reads are audited per subscriber (onNext below; the shared fan-out for its members).
  const fanout = new SharedFanout((ctx, ids) => opts.auditPersonalRead(ctx, ids));
  const handle = serveGraphqlWs<Extra>(
    {
      schema: opts.schema,
      connectionInitWaitTimeout: 10_000,
      subscribe: (args) => sharedSubscribe(args, fanout),
      async onConnect(ctx) {
        if (!opts.isReady()) {
          ctx.extra.socket.close(1013, 'The hub is starting; retry shortly.');
          return false;
        }
        const token = tokenFromInit(ctx.connectionParams);
        const socket = ctx.extra.socket;
        let principal: Principal;
        try {
          principal = token ? await opts.verifier.verify(token) : PUBLIC_PRINCIPAL;
        } catch (e) {
          await opts.auditSignInRefused?.(rejectionCodeOf(e)).catch((err: unknown) => logger.error({ err }, 'audit append failed'));
          socket.close(4401, closeReason(`Unauthorized: ${(e as Error).message}`));
          return false;
        }
        ctx.extra.principal = principal;
        // The socket lives no longer than its token: it closes when the token expires, or when it is revoked.
        const exp = principal.expiresAt;
        if (exp) {
          let timer: NodeJS.Timeout;
          const watch = () => {
            const left = exp - Date.now();
            if (left <= 0) return socket.close(4401, 'Unauthorized: the token has expired; reconnect with a new one.');
            timer = setTimeout(watch, Math.min(left, 2 ** 31 - 1)); // setTimeout holds at most ~24.8 days
            timer.unref();
          };
          watch();
          socket.once('close', () => clearTimeout(timer));
        }
        if (token) {
          authenticated.set(socket, principal);
          socket.once('close', () => authenticated.delete(socket));
        }
        // connectionParams first (a browser cannot set headers on a WebSocket), else the upgrade request's Accept-Language.
        ctx.extra.lang = langFromConnectionParams(ctx.connectionParams) ?? langFromAcceptLanguage(ctx.extra.request.headers['accept-language']);
        ctx.extra.purpose = purposeFromInit(ctx.connectionParams);
        wsConnections.inc();
        return true;
      },
      onDisconnect() {
        wsConnections.dec();
      },
      async onSubscribe(ctx, id, payload) {
        // graphql-ws has already reserved this one's id.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET)
          return [
            new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection; complete one or open another connection.`, {
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          ];
        let document = documents.get(payload.query);
        if (!document)
          try {
            document = parse(payload.query, { maxTokens: MAX_TOKENS });
            if (payload.query.length <= DOCUMENT_MEMO_CHARS) {
              documents.set(payload.query, document);
              if (documents.size > DOCUMENT_MEMO) documents.delete(documents.keys().next().value!);
            }
          } catch (e) {
            return [coded(e as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
          }
        const closed = introspectionRefusal(document, ctx.extra.principal ?? PUBLIC_PRINCIPAL, opts.introspection);
        if (closed) return [closed];
        const errors = validate(opts.schema, document, rules);
        if (errors.length) return hideSuggestions(errors).map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED'));
        const op = getOperationAST(document, payload.operationName);
        if (!op) return [new GraphQLError('Name the operation to run (operationName).', { extensions: { code: 'BAD_USER_INPUT' } })];
        // The same buckets as over HTTP: an anonymous caller by the socket's peer address (a proxy's, behind one).
        const limited = await opts.rateLimit?.(
          { principal: ctx.extra.principal ?? PUBLIC_PRINCIPAL, clientAddress: ctx.extra.request.socket.remoteAddress },
          op,
          document,
        );
        if (limited) return [limited];
        const context = opts.context(ctx.extra.principal ?? PUBLIC_PRINCIPAL, `ws:${randomUUID()}`, ctx.extra.lang ?? 'ZH', ctx.extra.purpose ?? null);
        if (op.operation !== OperationTypeNode.SUBSCRIPTION) {
          const refusal = new GraphQLError(
            `Only subscriptions run over WebSocket; send ${op.operation === OperationTypeNode.QUERY ? 'queries' : 'mutations'} as HTTP POST to /graphql.`,
            { extensions: { code: 'BAD_USER_INPUT' } },
          );
          if (op.operation === OperationTypeNode.MUTATION)
            await opts
              .auditRefusedMutation(context, opts.schema, document, op, payload.variables ?? {}, 'BAD_USER_INPUT')
              .catch((err: unknown) => logger.error({ err }, 'audit append failed'));
          return [refusal];
        }
        const tooCostly = opts.checkCost(opts.schema, document, op, payload.variables);
        if (tooCostly) return [tooCostly];
        const nul = nulProblem(document, payload.variables);
        if (nul) return [nul];
        const key = shareKey(payload.query, payload.operationName, payload.variables, context.principal, context.lang);
        if (key) shared.set(context, { key, id, socket: ctx.extra.socket });
        return { schema: opts.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: context };
      },
      onError(_ctx, _id, _payload, errors) {
        // A stream that failed mid-way (graphql-ws wraps what it threw); the refusals of onSubscribe carry no originalError.
        return errors.map((e) => (e.originalError ? maskUnexpected(e) : e));
      },
      onNext(_ctx, _id, _payload, args, result) {
        // Unexpected errors (a database error's message quotes the row) are logged with an errorId and masked, as over HTTP.
        const answer = maskResult(result);
        const replaced = answer === result ? undefined : answer;
        // An authority's subscription that selected personal data unmasked: audited like an HTTP read.
        const c = args.contextValue as Context;
        if (!c.personalDataRead.size) return replaced; // the hot path: no promise per message
        const ids = [...c.personalDataRead];
        c.personalDataRead.clear();
        return opts.auditPersonalRead(c, ids).then(
          () => replaced,
          (err: unknown) => (logger.error({ err }, 'audit append failed'), replaced),
        );
      },
    },
    wss,
    opts.production,
  );
  return handle;
}
