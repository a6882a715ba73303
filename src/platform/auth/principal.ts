import { KeyObject, createSecretKey, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { HubError } from '../errors';
import { jurisdictionPrefix, regionCodeProblem } from './region.rules';
import { isAdministrator, mintProblem, retiredRoleRefusal } from './roles';

export const ROLES = [
  'SYSTEM_ADMIN',
  'SECURITY_ADMIN',
  'AUDIT_ADMIN',
  'PROVINCE_AUTHORITY',
  'CITY_AUTHORITY',
  'COUNTY_AUTHORITY',
  'CREDIT_AUTHORITY',
  'PARTNER_AGENCY',
  'ENTERPRISE',
  'PUBLIC',
] as const;
export type Role = (typeof ROLES)[number];
/** The role of a principal: a mintable {@link Role}, or SYSTEM, the hub's own work (jobs, webhook delivery), never accepted from a token (see roles.ts). */
export type PrincipalRole = Role | 'SYSTEM';

/** Who is calling: from a verified bearer token, or PUBLIC without one. */
export interface Principal {
  /** Token subject (an officer id, an agency id, an enterprise's code); never a personal name. */
  subject: string;
  role: PrincipalRole;
  /** Region codes of the jurisdiction (130800 covers every 1308xx). Empty: none (SYSTEM: all). */
  regions: string[];
  /** ENTERPRISE: its own unified social credit code. */
  creditCode?: string;
  /** PARTNER_AGENCY: the agency's name. */
  agency?: string;
  /** The token's id (`jti`), for revocation. */
  tokenId?: string;
  /** When the token was issued (ms since the epoch; `iat`): a revocation by subject refuses the tokens issued before it. */
  issuedAt?: number;
  /** When the token expires (ms since the epoch): a socket opened with it closes then. */
  expiresAt?: number;
  /** Set when the request carried a token the hub refused: why (every operation of the request is then refused, UNAUTHENTICATED). */
  rejected?: string;
  /** With `rejected`: the reason code ({@link REJECTION_CODES}). */
  rejectedCode?: RejectionCode;
}

export const PUBLIC_PRINCIPAL: Principal = Object.freeze({ subject: 'anonymous', role: 'PUBLIC', regions: [] });

/** Who a request with a refused token is: no rights at all (PUBLIC, and every operation refused), and why, for the refusal and the audit trail. */
export function rejectedPrincipal(reason: string, code: RejectionCode = 'MALFORMED_TOKEN'): Principal {
  const p: Principal = { subject: 'rejected-token', role: 'PUBLIC', regions: [], rejected: reason, rejectedCode: code };
  return Object.freeze(p);
}

/** The refusal of a request whose token was rejected: UNAUTHENTICATED, HTTP 401. */
export function tokenRejection(p: Principal): GraphQLError | null {
  return p.rejected === undefined ? null : new GraphQLError(p.rejected, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Why a token was refused, for the caller's message and the audit trail (never the token's content). */
export const REJECTION_CODES = [
  'MALFORMED_HEADER',
  'MALFORMED_TOKEN',
  'BAD_SIGNATURE',
  'ALG_NOT_ALLOWED',
  'EXPIRED',
  'NOT_YET_VALID',
  'WRONG_ISSUER',
  'WRONG_AUDIENCE',
  'BAD_CLAIMS',
  'DEV_TOKEN_REFUSED',
  'REVOKED',
  'PROVIDER_UNAVAILABLE',
  /** A role that was split (ADMIN, 三员分立): the message names the roles that took its duties. */
  'RETIRED_ROLE',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A refused bearer token: UNAUTHENTICATED, with `extensions.reason` one of {@link REJECTION_CODES}. */
export class TokenRejected extends HubError {
  constructor(
    readonly reason: RejectionCode,
    message: string,
    /** False when `message` already says the token was rejected (it must stay short: a WebSocket close reason keeps 123 bytes). */
    prefixed = true,
  ) {
    super('UNAUTHENTICATED', prefixed ? `令牌被拒绝 / Bearer token rejected: ${message}` : message, { reason });
  }
}

/** The reason code of a refusal thrown by a verifier (anything else: the token is not valid for this hub). */
export const rejectionCodeOf = (e: unknown): RejectionCode => (e instanceof TokenRejected ? e.reason : 'MALFORMED_TOKEN');

/** A unified social credit code's form (GB 32100-2015: 18 characters of its alphabet); the check character is the enterprise module's concern. */
const CREDIT_CODE_FORM = /^[0-9A-HJ-NP-RTUWXY]{18}$/;

/** Claims as the hub reads them, whichever issuer named them (see `ClaimNames` in token-verifier.ts). */
export interface MappedClaims {
  sub?: unknown;
  role?: unknown;
  regions?: unknown;
  creditCode?: unknown;
  agency?: unknown;
  jti?: unknown;
  iat?: unknown;
  exp?: unknown;
}

const claims = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  // A region must be a real division code: '000000', '' or '%' would have matched every enterprise's prefix.
  regions: z
    .array(z.string().refine((r) => regionCodeProblem(r) === null, { error: (i) => regionCodeProblem(String(i.input)) ?? 'bad region code' }))
    .max(100)
    .default([]),
  creditCode: z.string().regex(CREDIT_CODE_FORM, 'creditCode must be a unified social credit code (18 characters)').optional(),
  agency: z.string().min(1).max(200).optional(),
  jti: z.string().min(1).max(200).optional(),
  iat: z.number().optional(),
  exp: z.number().optional(),
});

/**
 * The principal of verified claims, every claim validated: a known role, real region codes, a well-formed credit code.
 * Throws {@link TokenRejected} (BAD_CLAIMS) naming the first problem.
 */
export function principalFromClaims(c: MappedClaims): Principal {
  const retired = retiredRoleRefusal(c);
  if (retired) throw new TokenRejected('RETIRED_ROLE', retired, false);
  const parsed = claims.safeParse(c);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TokenRejected('BAD_CLAIMS', `claim ${issue.path.join('.') || '?'} is not acceptable (${issue.message}).`);
  }
  const v = parsed.data;
  if (v.role === 'ENTERPRISE' && !v.creditCode) throw new TokenRejected('BAD_CLAIMS', 'an ENTERPRISE token must carry creditCode.');
  if (v.role === 'PARTNER_AGENCY' && !v.agency) throw new TokenRejected('BAD_CLAIMS', 'a PARTNER_AGENCY token must carry agency.');
  const p: Principal = { subject: v.sub, role: v.role, regions: v.regions, creditCode: v.creditCode, agency: v.agency };
  if (v.jti) p.tokenId = v.jti;
  if (v.iat) p.issuedAt = v.iat * 1000;
  if (v.exp) p.expiresAt = v.exp * 1000;
  return p;
}

const keys = new Map<string, KeyObject>();
/** The HMAC key object for a secret, built once (a string secret is re-parsed on every verify). */
function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/** Verifies a development token (HS256, the hub's secret) and returns its principal; throws {@link TokenRejected}. */
export function verifyToken(token: string, secret: string): Principal {
  let payload: unknown;
  try {
    payload = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'] });
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'TokenExpiredError') throw new TokenRejected('EXPIRED', 'the token has expired. Ask an administrator for a new one (npm run hub -- token).');
    if (name === 'NotBeforeError') throw new TokenRejected('NOT_YET_VALID', 'the token is not valid yet (nbf).');
    throw new TokenRejected('BAD_SIGNATURE', 'the token is not valid for this hub. Ask an administrator for a new one (npm run hub -- token).');
  }
  return principalFromClaims(payload as MappedClaims);
}

export interface TokenRequest {
  role: Role;
  subject?: string;
  regions?: string[];
  creditCode?: string;
  agency?: string;
  /** Lifetime (`8h`, `30m`, seconds as a number); default {@link DEV_TOKEN_DEFAULT_LIFETIME}. */
  expiresIn?: string | number;
  /** Allow a lifetime beyond {@link DEV_TOKEN_MAX_SECONDS} (explicitly asked for, e.g. `hub token --allow-long`). */
  allowLong?: boolean;
}

/** Development tokens are short-lived: 8 hours unless asked otherwise, at most 24 hours unless explicitly allowed. */
export const DEV_TOKEN_DEFAULT_LIFETIME = '8h';
export const DEV_TOKEN_MAX_SECONDS = 24 * 3600;

/** A signed development token and what the audit trail keeps of it (never the token itself). */
export interface IssuedToken {
  token: string;
  jti: string;
  subject: string;
  expiresAt: Date;
}

/** Signs a development token (HS256) for `npm run hub -- token`, the embedded demo and tests; each gets a random `jti`. */
export function issueToken(req: TokenRequest, secret: string): IssuedToken {
  if (req.role === 'PUBLIC') throw new Error('PUBLIC needs no token: call without Authorization');
  for (const r of req.regions ?? []) {
    const problem = regionCodeProblem(r);
    if (problem) throw new Error(problem);
  }
  if (req.role === 'ENTERPRISE' && !req.creditCode) throw new Error('an ENTERPRISE token needs --credit-code');
  if (req.role === 'PARTNER_AGENCY' && !req.agency) throw new Error('a PARTNER_AGENCY token needs --agency (the agency it is issued to)');
  if (['PROVINCE_AUTHORITY', 'CITY_AUTHORITY', 'COUNTY_AUTHORITY'].includes(req.role) && !req.regions?.length)
    throw new Error(`a ${req.role} token needs --region (its jurisdiction)`);
  const problem = mintProblem(req.role, req.regions ?? []);
  if (problem) throw new Error(problem);
  const payload = { role: req.role, regions: req.regions ?? [], creditCode: req.creditCode, agency: req.agency };
  // Default subjects differ per agency: webhooks belong to their subject.
  const subject = req.subject ?? `${req.role.toLowerCase()}:${req.agency ?? req.creditCode ?? (req.regions?.length ? req.regions.join('+') : 'all')}`;
  const jti = randomUUID();
  const token = jwt.sign(payload, secret, {
    algorithm: 'HS256',
    subject,
    jwtid: jti,
    expiresIn: (req.expiresIn ?? DEV_TOKEN_DEFAULT_LIFETIME) as jwt.SignOptions['expiresIn'],
    issuer: 'water-credit-hub',
  });
  const { exp, iat } = jwt.decode(token) as { exp: number; iat: number };
  if (exp - iat > DEV_TOKEN_MAX_SECONDS && !req.allowLong)
    throw new Error(`a development token lives at most ${DEV_TOKEN_MAX_SECONDS / 3600} hours (asked: ${req.expiresIn}); pass --allow-long to exceed it`);
  return { token, jti, subject, expiresAt: new Date(exp * 1000) };
}

/** {@link issueToken}'s token only. */
export function signToken(req: TokenRequest, secret: string): string {
  return issueToken(req, secret).token;
}

/** The region prefixes a principal may see, or null for "all regions". */
export function jurisdictionPrefixes(p: Principal): string[] | null {
  if (p.role === 'SYSTEM' || p.role === 'ENTERPRISE') return null; // an enterprise is scoped by its own code
  if (isAdministrator(p.role)) return []; // 三员: no business data, whatever the token says
  if ((p.role === 'PARTNER_AGENCY' || p.role === 'PUBLIC' || p.role === 'CREDIT_AUTHORITY') && p.regions.length === 0) return null;
  return p.regions.map(jurisdictionPrefix);
}
