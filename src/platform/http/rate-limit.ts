import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, GraphQLError, Kind, OperationDefinitionNode, OperationTypeNode, SelectionSetNode } from 'graphql';
import IORedis from 'ioredis';
import type { Principal } from '../auth/principal';
import type { Context } from '../context';
import { logger } from '../logger';

/**
 * Rate limits on /graphql (issue 11 item 6), per caller: the token's subject when authenticated, the client address
 * otherwise (`req.ip`: X-Forwarded-For only with HUB_TRUST_PROXY). Fixed windows of `windowMs`, three buckets:
 *
 * - `operations`: every operation;
 * - `mutations`: every mutation;
 * - `submissions`: anonymous 举报 and 线索 (`reportFalseInformation`, `submitTip`), the strictest.
 *
 * Past a limit: HTTP 429, `Retry-After`, a GraphQL error with code RATE_LIMITED, nothing executed. Counters live in
 * Redis (INCR + PEXPIRE in one script, shared by every hub process) when REDIS_URL is set, in the process otherwise; a
 * Redis that does not answer lets the request through on the process's own counters (a limiter must not take the
 * hub down with it). A limit of 0 turns its bucket off.
 *
 * @example HUB_RATE_LIMIT_WINDOW_MS=60000 HUB_RATE_LIMIT_MUTATIONS=600 HUB_RATE_LIMIT_SUBMISSIONS=10
 */
export interface RateLimits {
  windowMs: number;
  operations: number;
  mutations: number;
  submissions: number;
}

/** The root fields anyone may call without a token to submit something: the strictest bucket. */
export const ANONYMOUS_SUBMISSIONS = new Set(['reportFalseInformation', 'submitTip']);

export interface RateCounter {
  /** Counts one hit of `key`; the count in the current window and the ms until it ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  close(): Promise<void>;
}

/** Counters of this process only (no REDIS_URL, or Redis not answering). */
export class InProcessCounter implements RateCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  hit(key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetMs: number }> {
    let w = this.windows.get(key);
    if (!w || w.endsAt <= now) {
      w = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, w);
      if (this.windows.size > 50_000) for (const [k, v] of this.windows) if (v.endsAt <= now) this.windows.delete(k);
    }
    w.count++;
    return Promise.resolve({ count: w.count, resetMs: w.endsAt - now });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** INCR, PEXPIRE on the first hit (or when a crash left the key without one), PTTL: atomic in Redis. */
const HIT = `local c = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if c == 1 or ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

/** After a failed hit, Redis is not asked again for this long. */
const RETRY_REDIS_AFTER_MS = 5_000;

/** Counters shared by every hub process through Redis; the process's own counters while Redis does not answer. */
export class RedisCounter implements RateCounter {
  private readonly redis: IORedis;
  private readonly fallback = new InProcessCounter();
  private warnedAt = 0;
  private downUntil = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    timeoutMs: number,
  ) {
    // At most half a second per hit (HUB_REDIS_TIMEOUT_MS if shorter): a limiter must stay cheap.
    this.redis = new IORedis(url, { commandTimeout: Math.min(timeoutMs, 500), enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false });
    this.redis.on('error', () => undefined); // reported once per minute by hit()
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    // Not connected, or failed within the last few seconds: no request waits on a Redis that is down or hanging.
    if (this.redis.status !== 'ready' || Date.now() < this.downUntil) return this.fallback.hit(key, windowMs);
    try {
      const [count, ttl] = (await this.redis.eval(HIT, 1, `${this.prefix}:ratelimit:${key}`, String(windowMs))) as [number, number];
      return { count, resetMs: ttl };
    } catch (e) {
      this.downUntil = Date.now() + RETRY_REDIS_AFTER_MS;
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        logger.warn({ err: (e as Error).message }, 'rate limits: Redis does not answer; counting in this process meanwhile');
      }
      return this.fallback.hit(key, windowMs);
    }
  }

  /** Resolves once connected, or after `ms` (a hub starting while Redis is down counts in-process meanwhile). */
  ready(ms = 1_000): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.redis.once('ready', done);
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}

/** A short, stable, non-reversible form of a caller key for Redis keys and logs (no address or subject in clear). */
function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** The error a refused request answers: HTTP 429 with Retry-After (Apollo takes `extensions.http` off the answer). */
export function rateLimited(bucket: string, limit: number, windowMs: number, retryAfterS: number): GraphQLError {
  return new GraphQLError(
    `请求过于频繁，请${retryAfterS}秒后再试 / Too many requests (${bucket}: at most ${limit} per ${windowMs / 1000} s); retry after ${retryAfterS} s`,
    { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfterS, http: { status: 429, headers: new Map([['retry-after', String(retryAfterS)]]) } } },
  );
}

/** Counts each operation against its caller's buckets once it is resolved; refuses it, before it executes, past a limit. */
/**
 * Counts one operation of a caller in its buckets; the refusal when one is past its limit, else null. Shared by the
 * HTTP plugin and the WebSocket server (a subscription is an operation too), so both paths fill the same counters.
 */
export async function rateLimitCheck(
  limits: RateLimits,
  counter: RateCounter,
  caller: { principal: Principal; clientAddress?: string },
  operation: OperationDefinitionNode,
  document: DocumentNode,
): Promise<GraphQLError | null> {
  const p = caller.principal;
  const authenticated = p.role !== 'PUBLIC' && p.rejected === undefined;
  const keyKind = authenticated ? 'subject' : 'address';
  const key = digest(authenticated ? `s:${p.subject}` : `a:${caller.clientAddress ?? 'unknown'}`);
  const buckets: [string, number][] = [['operations', limits.operations]];
  if (operation.operation === OperationTypeNode.MUTATION) {
    buckets.push(['mutations', limits.mutations]);
    if (rootFields(operation.selectionSet, document).some((f) => ANONYMOUS_SUBMISSIONS.has(f))) buckets.push(['submissions', limits.submissions]);
  }
  for (const [bucket, limit] of buckets) {
    if (limit <= 0) continue;
    const { count, resetMs } = await counter.hit(`${bucket}:${key}`, limits.windowMs);
    if (count <= limit) continue;
    const retryAfterS = Math.max(1, Math.ceil(resetMs / 1000));
    // No address, subject or argument: the bucket, the kind of key and its digest (to see one caller repeat).
    logger.warn({ bucket, keyKind, caller: key, limit, windowMs: limits.windowMs, operation: operation.operation }, 'rate limit reached; request refused');
    return rateLimited(bucket, limit, limits.windowMs, retryAfterS);
  }
  return null;
}

export function rateLimitPlugin(limits: RateLimits, counter: RateCounter): ApolloServerPlugin<Context<unknown, unknown>> {
  return {
    requestDidStart({ contextValue }) {
      return Promise.resolve({
        async didResolveOperation({ operation, document }) {
          if (!operation) return;
          const refusal = await rateLimitCheck(limits, counter, contextValue, operation, document);
          if (refusal) throw refusal;
        },
      });
    },
  };
}

/** The root field names of a selection set, through inline fragments and fragment spreads (a spread cannot dodge a bucket). */
function rootFields(set: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  return set.selections.flatMap((s): string[] => {
    if (s.kind === Kind.FIELD) return [s.name.value];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFields(s.selectionSet, document, seen);
    if (seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    const f = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
    return f ? rootFields(f.selectionSet, document, seen) : [];
  });
}
