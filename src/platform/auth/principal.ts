import { KeyObject, createSecretKey } from 'node:crypto';
import { GraphQLError } from 'graphql';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { unauthenticated } from '../errors';
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
  /** Set when the request carried a token the hub refused: why (every operation of the request is then refused, UNAUTHENTICATED). */
  rejected?: string;
}

export const PUBLIC_PRINCIPAL: Principal = Object.freeze({ subject: 'anonymous', role: 'PUBLIC', regions: [] });

/** Who a request with a refused token is: no rights at all (PUBLIC, and every operation refused), and why, for the refusal and the audit trail. */
export function rejectedPrincipal(reason: string): Principal {
  const p: Principal = { subject: 'rejected-token', role: 'PUBLIC', regions: [], rejected: reason };
  return Object.freeze(p);
}

/** The refusal of a request whose token was rejected: UNAUTHENTICATED, HTTP 401. */
export function tokenRejection(p: Principal): GraphQLError | null {
  return p.rejected === undefined ? null : new GraphQLError(p.rejected, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  regions: z.array(z.string()).default([]),
  creditCode: z.string().optional(),
  agency: z.string().optional(),
});

const keys = new Map<string, KeyObject>();
/** The HMAC key object for a secret, built once (a string secret is re-parsed on every verify). */
function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/** Verifies a bearer token (HS256) and returns its principal; throws UNAUTHENTICATED with the reason. */
export function verifyToken(token: string, secret: string): Principal {
  let payload: unknown;
  try {
    payload = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'] });
  } catch (e) {
    const reason = (e as Error).name === 'TokenExpiredError' ? 'the token has expired' : 'the token is not valid for this hub';
    throw unauthenticated(`Bearer token rejected: ${reason}. Ask an administrator for a new one (npm run hub -- token).`);
  }
  const retired = retiredRoleRefusal(payload);
  if (retired) throw unauthenticated(retired);
  const parsed = claims.safeParse(payload);
  if (!parsed.success) throw unauthenticated('Bearer token rejected: its claims lack sub/role or hold an unknown role.');
  const c = parsed.data;
  if (c.role === 'ENTERPRISE' && !c.creditCode) throw unauthenticated('Bearer token rejected: an ENTERPRISE token must carry creditCode.');
  return { subject: c.sub, role: c.role, regions: c.regions, creditCode: c.creditCode, agency: c.agency };
}

export interface TokenRequest {
  role: Role;
  subject?: string;
  regions?: string[];
  creditCode?: string;
  agency?: string;
  expiresIn?: string;
}

/** Signs a token for `npm run hub -- token` and tests. */
export function signToken(req: TokenRequest, secret: string): string {
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
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    // Default subjects differ per agency: webhooks belong to their subject.
    subject: req.subject ?? `${req.role.toLowerCase()}:${req.agency ?? req.creditCode ?? (req.regions?.length ? req.regions.join('+') : 'all')}`,
    expiresIn: (req.expiresIn ?? '30d') as jwt.SignOptions['expiresIn'],
    issuer: 'water-credit-hub',
  });
}

/** The region prefixes a principal may see, or null for "all regions". */
export function jurisdictionPrefixes(p: Principal): string[] | null {
  if (p.role === 'SYSTEM' || p.role === 'ENTERPRISE') return null; // an enterprise is scoped by its own code
  if (isAdministrator(p.role)) return []; // 三员: no business data, whatever the token says
  if ((p.role === 'PARTNER_AGENCY' || p.role === 'PUBLIC' || p.role === 'CREDIT_AUTHORITY') && p.regions.length === 0) return null;
  return p.regions.map(jurisdictionPrefix);
}
