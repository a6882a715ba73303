import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { devJwtSecret } from './dev-secret';
import { CIPHER_NAMES, CipherName } from './crypto/field-cipher';
import { DataKeys, readDataKeys } from './crypto/data-keys';
import type { RateLimits } from './http/rate-limit';
import type { MetricsAccess } from './http/metrics-endpoint';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of 1/0, true/false, yes/no, on/off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A whole number of milliseconds between `min` and 10 minutes. */
const millis = (min: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int()
    .min(min, `must be at least ${min} ms`)
    .max(600_000, 'must be at most 600000 ms')
    .default(fallback);

/** Requests per window of a rate-limit bucket; 0 turns it off. */
const limit = (fallback: number) => z.coerce.number({ error: 'must be a whole number (0: no limit)' }).int().min(0).default(fallback);
/** A claim name, or a dotted path into nested claims (`realm_access.roles`). */
const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_:-]*(\.[A-Za-z_][A-Za-z0-9_:-]*)*$/, 'a claim name or dotted path, e.g. role or realm_access.roles');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL, e.g. postgres://postgres@127.0.0.1:5432/hub')
    .optional(),
  HUB_MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL of the owner role, e.g. postgres://hub_owner@127.0.0.1:5432/hub')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
    .optional(),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535, 'must be at most 65535').default(4000),
  HOST: z
    .string()
    .regex(/^[0-9A-Za-z.:_-]+$/, 'an address or host name to listen on, e.g. 127.0.0.1, 0.0.0.0 or ::')
    .optional(),
  HUB_IDE: flag.optional(),
  HUB_GRAPHQL_JIT: flag.optional(),
  HUB_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  HUB_ALLOW_DEV_TOKENS: flag.optional(),
  HUB_OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: 'must be the issuer URL of the OpenID provider, e.g. https://id.example.gov.cn/realms/water' })
    .optional(),
  HUB_OIDC_AUDIENCE: z.string().min(1).max(200).optional(),
  HUB_OIDC_ROLE_CLAIM: claimName.default('role'),
  HUB_OIDC_REGIONS_CLAIM: claimName.default('regions'),
  HUB_OIDC_AGENCY_CLAIM: claimName.default('agency'),
  HUB_OIDC_CREDIT_CODE_CLAIM: claimName.default('creditCode'),
  HUB_OIDC_CLOCK_SKEW_S: z.coerce.number({ error: 'must be a number of seconds' }).int().min(0).max(60, 'must be at most 60 s').default(30),
  HUB_OIDC_JWKS_COOLDOWN_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0).max(600_000).default(30_000),
  HUB_REVOCATION_REFRESH_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(100).max(60_000).default(5000),
  HUB_DEMO: flag.optional(),
  HUB_DATA_DIR: z.string().default('./.data'),
  HUB_POLICY_DIR: z.string().optional(),
  HUB_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('hub'),
  HUB_RUN_WORKERS: flag.default(true),
  HUB_WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .regex(/^[0-9a-fA-F:./,\s]+$/, 'comma-separated addresses or CIDR ranges, e.g. 127.0.0.1,10.20.0.0/16,::1')
    .optional(),
  HUB_OUTBOUND_ALLOW_PRIVATE: z
    .string()
    .regex(/^[0-9a-fA-F:./,\s]+$/, 'comma-separated addresses or CIDR ranges, e.g. 127.0.0.1,10.20.0.0/16,::1')
    .optional(),
  HUB_OUTBOUND_ALLOWED_DOMAINS: z
    .string()
    .regex(/^[0-9A-Za-z.*,\s-]+$/, 'comma-separated domain names, e.g. vendor.example.cn,credit.gov.cn')
    .optional(),
  HUB_WEBHOOK_RETRY_SCALE: z.coerce.number({ error: 'must be a number' }).positive('must be above 0').max(1, 'must be at most 1').default(1),
  CREDIT_PLATFORM_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL of the city credit platform endpoint' }).optional(),
  CREDIT_PLATFORM_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'must be whsec_ followed by base64 of 24-64 random bytes (Standard Webhooks)')
    .optional(),
  HUB_OUTBOX_POLL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(10).max(60_000).default(1000),
  HUB_QUEUE_LOCK_MS: millis(500, 30_000),
  // At most what one ingest call takes (MAX_BATCH in src/modules/ingest/ingest.service.ts; config.spec.ts checks they agree).
  HUB_SYNC_PAGE_SIZE: z.coerce
    .number({ error: 'must be a whole number of readings' })
    .int('must be a whole number of readings')
    .min(1, 'must be at least 1')
    .max(50_000, 'must be at most 50000 (the most one ingest call stores)')
    .default(1000),
  HUB_QUEUE_STALLED_MS: millis(100, 30_000),
  HUB_REDIS_TIMEOUT_MS: millis(100, 3_000),
  HUB_DATA_KEYS: z.string().optional(),
  HUB_DATA_KEY_ACTIVE: z.string().optional(),
  HUB_DATA_KEY_FILE: z.string().optional(),
  HUB_DATA_HASH_KEY: z.string().optional(),
  HUB_DATA_CIPHER: z.enum(CIPHER_NAMES as [CipherName, ...CipherName[]], { error: `must be one of ${CIPHER_NAMES.join(', ')}` }).default('sm4-ctr-hmac-sm3'),
  HUB_RATE_LIMIT_WINDOW_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int()
    .min(1000, 'must be at least 1000 ms')
    .max(3_600_000, 'must be at most 3600000 ms')
    .default(60_000),
  HUB_RATE_LIMIT_OPERATIONS: limit(20_000),
  HUB_RATE_LIMIT_MUTATIONS: limit(5_000),
  HUB_RATE_LIMIT_SUBMISSIONS: limit(60),
  HUB_METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters (a random bearer token for the Prometheus scraper)').optional(),
  HUB_METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535, 'must be at most 65535').optional(),
  HUB_INTROSPECTION: flag.optional(),
  HUB_HSTS: flag.default(false),
  HUB_TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|[0-9a-fA-F:./,\s]+|loopback|linklocal|uniquelocal)$/,
      'true, false, a number of proxy hops, or addresses/CIDR ranges of the trusted proxies (e.g. 10.0.0.5 or loopback)',
    )
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface HubConfig {
  nodeEnv: 'development' | 'production' | 'test';
  /** Absent: embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** The owner role's URL for migrations (`HUB_MIGRATION_DATABASE_URL`; default `databaseUrl`): the hub may then serve as a runtime role that cannot rewrite the audit log. */
  migrationDatabaseUrl?: string;
  redisUrl?: string;
  /** Redis key prefix of the queues. */
  queuePrefix: string;
  port: number;
  /** Address to listen on: loopback unless `HOST` says otherwise (every interface by default in production, e.g. in a container). */
  host: string;
  /** Serve the GraphQL IDE (GraphiQL, from the hub's own files) at GET /graphql: on outside production, off in production unless `HUB_IDE=true`. */
  ide: boolean;
  /** Run HTTP operations as compiled functions (graphql-jit; src/platform/graphql/jit-executor.ts); `HUB_GRAPHQL_JIT=false` runs graphql-js. */
  graphqlJit: boolean;
  jwtSecret: string;
  /** True when no secret was configured and this data directory's generated development secret is in use. */
  jwtSecretIsDev: boolean;
  /** The file holding the development secret, when `jwtSecretIsDev`. */
  jwtSecretFile?: string;
  /** Sign-in: which tokens this hub accepts (src/platform/auth/token-verifier.ts). */
  auth: AuthConfig;
  demo: boolean;
  dataDir: string;
  /** Where the credit policy documents are read from; absent: the shipped `schema/policies/`. */
  policyDir?: string;
  logLevel: string;
  /** `npm start` runs the workers (and outbox relay) beside the API unless this is false. */
  runWorkers: boolean;
  notify: NotifyConfig;
  queueTiming: QueueTiming;
  /**
   * Readings a sync asks of its connector per page (`HUB_SYNC_PAGE_SIZE`), each page stored in one transaction. Each page
   * pays once for its meters (lock, day summaries, `lastReadingAt`): larger pages make high-volume feeds cheaper per reading.
   */
  syncPageSize: number;
  /** The keys that encrypt personal data and secrets at rest (src/platform/crypto/). */
  dataKeys: DataKeys;
  /** Rate limits on /graphql per subject or client address (src/platform/http/rate-limit.ts). */
  rateLimits: RateLimits;
  /** Express `trust proxy` (HUB_TRUST_PROXY): whose X-Forwarded-For gives the client address; false: the socket's peer. */
  trustProxy: boolean | number | string;
  /** Strict-Transport-Security on every answer (HUB_HSTS=true; also sent on requests that came over TLS). */
  hsts: boolean;
  /** `__schema`/`__type` for anonymous callers too: outside production, or in production with HUB_INTROSPECTION=true. */
  introspection: boolean;
  /** /metrics behind a bearer token and/or on a port of its own (src/platform/http/metrics-endpoint.ts). */
  metrics: MetricsAccess;
}

export interface AuthConfig {
  /** HS256 development tokens (`npm run hub -- token`) are accepted: outside production, or with `HUB_ALLOW_DEV_TOKENS=true`. */
  devTokens: boolean;
  /** An OpenID provider whose access tokens are accepted. */
  oidc?: OidcConfig;
  /** How often each hub process reloads the revocation list (a revocation reaches every process within this time). */
  revocationRefreshMs: number;
}

export interface OidcConfig {
  issuer: string;
  audience: string;
  /** Claim names (or dotted paths) holding the hub's role, regions, agency and credit code. */
  claims: { role: string; regions: string; agency: string; creditCode: string };
  clockSkewSeconds: number;
  /** At least this long between two JWKS fetches for an unknown key id. */
  jwksCooldownMs: number;
}

/**
 * How fast BullMQ notices a dead worker (Redis queues only). A worker holds a lock on each
 * active job for `lockMs` and renews it every `lockMs / 2`; every `stalledMs` each worker
 * looks for active jobs whose lock has expired and hands them back to the queue. A worker
 * killed mid-job loses its job to another after roughly `lockMs` + `stalledMs`. Shorter
 * values mean faster hand-over and more Redis traffic; a lock shorter than the longest
 * event-loop pause of a worker makes healthy jobs look stalled.
 */
export interface QueueTiming {
  lockMs: number;
  stalledMs: number;
  /**
   * How long queueing a job or reading the queues may wait for Redis before giving up with a clear error
   * (`HUB_REDIS_TIMEOUT_MS`); during an outage ioredis would otherwise hold the command until Redis is back.
   */
  commandTimeoutMs: number;
}

export interface NotifyConfig {
  /** Internal addresses or CIDR ranges webhooks, the credit platform push and data sources may target anyway. */
  allowPrivate: string[];
  /** When not empty, the only destination domains (and subdomains) outbound targets may lie in (数据出境 management). */
  allowedDomains?: string[];
  /** Multiplies webhook retry delays (1 = real time; tests compress the three days). */
  retryScale: number;
  /** How often a relay looks for unpublished events when no NOTIFY woke it. */
  outboxPollMs: number;
  /** The city credit platform's endpoint and signing secret; absent: pushes stay queued as NOT_CONFIGURED. */
  creditPlatform?: { url: string; secret: string };
}

/** Raised when the environment holds bad values; the message lists one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Reads and validates the hub's configuration from the environment.
 * Empty strings count as unset, so `DATABASE_URL= npm start` means "embedded".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  // Production signs in through an OpenID provider; development tokens only when explicitly allowed (a drill), and then
  // with a secret of the operator's, never one generated into the data directory.
  if (production && !c.HUB_OIDC_ISSUER && c.HUB_ALLOW_DEV_TOKENS !== true)
    throw new ConfigError([
      'HUB_OIDC_ISSUER, HUB_OIDC_AUDIENCE: required when NODE_ENV=production (the OpenID provider whose tokens the hub accepts); for a drill without one, HUB_ALLOW_DEV_TOKENS=true with HUB_JWT_SECRET',
    ]);
  if (production && c.HUB_ALLOW_DEV_TOKENS === true && !c.HUB_JWT_SECRET)
    throw new ConfigError([
      'HUB_JWT_SECRET: required when NODE_ENV=production allows development tokens (HUB_ALLOW_DEV_TOKENS=true; at least 32 random characters)',
    ]);
  if (!c.CREDIT_PLATFORM_URL !== !c.CREDIT_PLATFORM_SECRET)
    throw new ConfigError(['CREDIT_PLATFORM_URL, CREDIT_PLATFORM_SECRET: set both (the platform endpoint and its signing secret) or neither']);
  if (!c.HUB_OIDC_ISSUER !== !c.HUB_OIDC_AUDIENCE)
    throw new ConfigError(['HUB_OIDC_ISSUER, HUB_OIDC_AUDIENCE: set both (the provider and the audience its tokens name for this hub) or neither']);
  let dataKeys: DataKeys;
  try {
    dataKeys = readDataKeys({
      keys: c.HUB_DATA_KEYS,
      active: c.HUB_DATA_KEY_ACTIVE,
      file: c.HUB_DATA_KEY_FILE,
      hashKey: c.HUB_DATA_HASH_KEY,
      cipher: c.HUB_DATA_CIPHER,
      production: c.NODE_ENV === 'production',
      dataDir: c.HUB_DATA_DIR,
    });
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
  if (c.NODE_ENV === 'production' && !c.HUB_METRICS_TOKEN && c.HUB_METRICS_PORT === undefined)
    throw new ConfigError([
      'HUB_METRICS_TOKEN or HUB_METRICS_PORT: required when NODE_ENV=production (/metrics behind a bearer token of 24+ random characters, or on a port of its own that only the scraper reaches)',
    ]);
  // Production without development tokens never verifies one: a random secret of this process, so nothing it signs is accepted anywhere.
  const secret = c.HUB_JWT_SECRET
    ? { secret: c.HUB_JWT_SECRET, file: undefined }
    : production
      ? { secret: randomBytes(32).toString('base64'), file: undefined }
      : devSecretOf(c.HUB_DATA_DIR);
  return {
    nodeEnv: c.NODE_ENV,
    databaseUrl: c.DATABASE_URL,
    migrationDatabaseUrl: c.HUB_MIGRATION_DATABASE_URL ?? c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    queuePrefix: c.HUB_QUEUE_PREFIX,
    port: c.PORT,
    host: c.HOST ?? (c.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    ide: c.HUB_IDE ?? c.NODE_ENV !== 'production',
    graphqlJit: c.HUB_GRAPHQL_JIT ?? true,
    jwtSecret: secret.secret,
    jwtSecretIsDev: !c.HUB_JWT_SECRET && !production,
    jwtSecretFile: secret.file,
    auth: {
      devTokens: c.NODE_ENV !== 'production' || c.HUB_ALLOW_DEV_TOKENS === true,
      oidc:
        c.HUB_OIDC_ISSUER && c.HUB_OIDC_AUDIENCE
          ? {
              issuer: c.HUB_OIDC_ISSUER,
              audience: c.HUB_OIDC_AUDIENCE,
              claims: {
                role: c.HUB_OIDC_ROLE_CLAIM,
                regions: c.HUB_OIDC_REGIONS_CLAIM,
                agency: c.HUB_OIDC_AGENCY_CLAIM,
                creditCode: c.HUB_OIDC_CREDIT_CODE_CLAIM,
              },
              clockSkewSeconds: c.HUB_OIDC_CLOCK_SKEW_S,
              jwksCooldownMs: c.HUB_OIDC_JWKS_COOLDOWN_MS,
            }
          : undefined,
      revocationRefreshMs: c.HUB_REVOCATION_REFRESH_MS,
    },
    demo: c.HUB_DEMO ?? !c.DATABASE_URL,
    dataDir: c.HUB_DATA_DIR,
    policyDir: c.HUB_POLICY_DIR,
    logLevel: c.LOG_LEVEL,
    runWorkers: c.HUB_RUN_WORKERS,
    notify: {
      // HUB_WEBHOOK_ALLOW_PRIVATE is the older name of the one outbound setting: both lists count.
      allowPrivate: [...new Set(list(c.HUB_OUTBOUND_ALLOW_PRIVATE).concat(list(c.HUB_WEBHOOK_ALLOW_PRIVATE)))],
      allowedDomains: list(c.HUB_OUTBOUND_ALLOWED_DOMAINS),
      retryScale: c.HUB_WEBHOOK_RETRY_SCALE,
      outboxPollMs: c.HUB_OUTBOX_POLL_MS,
      creditPlatform: c.CREDIT_PLATFORM_URL && c.CREDIT_PLATFORM_SECRET ? { url: c.CREDIT_PLATFORM_URL, secret: c.CREDIT_PLATFORM_SECRET } : undefined,
    },
    queueTiming: { lockMs: c.HUB_QUEUE_LOCK_MS, stalledMs: c.HUB_QUEUE_STALLED_MS, commandTimeoutMs: c.HUB_REDIS_TIMEOUT_MS },
    syncPageSize: c.HUB_SYNC_PAGE_SIZE,
    dataKeys,
    hsts: c.HUB_HSTS,
    introspection: c.HUB_INTROSPECTION ?? c.NODE_ENV !== 'production',
    metrics: { token: c.HUB_METRICS_TOKEN, port: c.HUB_METRICS_PORT },
    rateLimits: {
      windowMs: c.HUB_RATE_LIMIT_WINDOW_MS,
      operations: c.HUB_RATE_LIMIT_OPERATIONS,
      mutations: c.HUB_RATE_LIMIT_MUTATIONS,
      submissions: c.HUB_RATE_LIMIT_SUBMISSIONS,
    },
    trustProxy:
      c.HUB_TRUST_PROXY === undefined || c.HUB_TRUST_PROXY === 'false'
        ? false
        : c.HUB_TRUST_PROXY === 'true'
          ? true
          : /^\d+$/.test(c.HUB_TRUST_PROXY)
            ? Number(c.HUB_TRUST_PROXY)
            : c.HUB_TRUST_PROXY,
  };
}

/** A comma-separated setting as its trimmed, non-empty items. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function devSecretOf(dataDir: string): { secret: string; file: string } {
  let dev;
  try {
    dev = devJwtSecret(dataDir);
  } catch (e) {
    throw new ConfigError([
      `HUB_DATA_DIR: cannot keep the development secret in ${dataDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set HUB_JWT_SECRET or a writable HUB_DATA_DIR`,
    ]);
  }
  if (dev.secret.length < 32)
    throw new ConfigError([`HUB_DATA_DIR: ${dev.file} holds no usable secret (under 32 characters); delete it to generate a new one`]);
  return dev;
}
