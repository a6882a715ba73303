import { JWTPayload, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { AuthConfig, OidcConfig } from '../config';
import { logger } from '../logger';
import { MappedClaims, Principal, TokenRejected, principalFromClaims, verifyToken } from './principal';

/**
 * Turns a bearer token into a principal, or throws {@link TokenRejected} with the reason. One instance per hub, chosen
 * from the configuration ({@link createTokenVerifier}); HTTP, graphql-ws and the queue dashboard all await it.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  /** Whether a verified principal has been revoked since (open sockets are re-checked with this). */
  isRevoked(p: Principal): boolean;
}

/** Which revocations are in force; the hub's is {@link RevocationList} over the `token_revocation` table. */
export interface RevocationCheck {
  isRevoked(p: Principal): boolean;
}

/** Asymmetric algorithms only: `none` and HS* never verify an OpenID provider's token. */
export const OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** Reads a claim by name or dotted path (`realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const key of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** The role claim may be a list (as many providers issue roles): exactly one hub role must be in it. */
function roleOf(raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw;
  return raw.length === 1 ? raw[0] : raw; // a list of several is refused by the claim validation
}

/** Regions as a list, or one string of codes separated by spaces or commas (`scope`-style claims). */
function regionsOf(raw: unknown): unknown {
  if (typeof raw === 'string') return raw.split(/[\s,]+/).filter(Boolean);
  return raw ?? [];
}

/**
 * Verifies an OpenID provider's access tokens (JWT): issuer discovery, its JWKS (an unknown `kid` refetches it, at
 * most once per cooldown: key rotation needs no restart), `iss`, `aud`, `exp`/`nbf` with the configured skew, and
 * asymmetric algorithms only. The mapped claims are validated as every token's are ({@link principalFromClaims}).
 *
 * Discovery failing (at boot or later) leaves the verifier without keys: tokens are refused PROVIDER_UNAVAILABLE with the
 * reason, and discovery is retried at most every 10 s on the next token.
 */
export class OidcVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private failure: string | null = 'discovery has not run yet';
  private lastAttempt = 0;
  private discovering?: Promise<void>;

  constructor(private readonly c: OidcConfig) {}

  /** Fetches `<issuer>/.well-known/openid-configuration` and its `jwks_uri`; logs (never throws) when the provider does not answer. */
  discover(): Promise<void> {
    this.discovering ??= this.fetchDiscovery().finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private async fetchDiscovery(): Promise<void> {
    this.lastAttempt = Date.now();
    const url = `${this.c.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (doc.issuer !== this.c.issuer) throw new Error(`the document names issuer ${JSON.stringify(doc.issuer)}, not ${this.c.issuer}`);
      if (typeof doc.jwks_uri !== 'string') throw new Error('the document has no jwks_uri');
      this.jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { cooldownDuration: this.c.jwksCooldownMs, timeoutDuration: 5000 });
      this.failure = null;
      logger.info({ issuer: this.c.issuer, jwksUri: doc.jwks_uri }, 'OpenID provider discovered');
    } catch (e) {
      this.failure = `the OpenID provider's discovery document (${url}) could not be read: ${(e as Error).message}`;
      logger.error({ issuer: this.c.issuer, reason: this.failure }, 'OpenID provider discovery failed: its tokens are refused until it answers');
    }
  }

  async verify(token: string): Promise<Principal> {
    if (!this.jwks && Date.now() - this.lastAttempt >= 10_000) await this.discover();
    else if (this.discovering) await this.discovering;
    if (!this.jwks) throw new TokenRejected('PROVIDER_UNAVAILABLE', `${this.failure ?? 'the OpenID provider is unavailable'}; retry shortly.`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.c.issuer,
        audience: this.c.audience,
        algorithms: OIDC_ALGORITHMS,
        clockTolerance: this.c.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (e) {
      throw oidcRejection(e);
    }
    const names = this.c.claims;
    const mapped: MappedClaims = {
      sub: payload.sub,
      role: roleOf(claimAt(payload, names.role)),
      regions: regionsOf(claimAt(payload, names.regions)),
      agency: claimAt(payload, names.agency),
      creditCode: claimAt(payload, names.creditCode),
      jti: payload.jti,
      iat: payload.iat,
      exp: payload.exp,
    };
    return principalFromClaims(mapped);
  }
}

/** jose's error as the caller's reason. */
function oidcRejection(e: unknown): TokenRejected {
  if (e instanceof errors.JWTExpired) return new TokenRejected('EXPIRED', 'the token has expired; sign in again.');
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf' || e.claim === 'iat') return new TokenRejected('NOT_YET_VALID', 'the token is not valid yet (nbf/iat in the future).');
    if (e.claim === 'iss') return new TokenRejected('WRONG_ISSUER', 'the token was issued by another identity provider.');
    if (e.claim === 'aud') return new TokenRejected('WRONG_AUDIENCE', 'the token is meant for another service (aud).');
    return new TokenRejected('BAD_CLAIMS', `claim ${e.claim} is missing or not acceptable.`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return new TokenRejected('ALG_NOT_ALLOWED', `only ${OIDC_ALGORITHMS.join(', ')} are accepted.`);
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys)
    return new TokenRejected('BAD_SIGNATURE', 'the signature does not verify with the identity provider’s keys.');
  // Not jose's verdict on the token: fetching the keys failed (refused connection, timeout, a broken JWKS document).
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || !(e instanceof errors.JOSEError))
    return new TokenRejected('PROVIDER_UNAVAILABLE', 'the identity provider’s keys could not be fetched; retry shortly.');
  return new TokenRejected('MALFORMED_TOKEN', 'the token is not valid: not a JWT.');
}

/** How long a verified token is reused without verifying its signature again (never past its `exp`). */
export const VERIFIED_TTL_MS = 60_000;
/** The most verified tokens remembered. */
const VERIFIED_MAX = 10_000;

/**
 * The hub's verifier: by the token's `alg`, an HS256 development token (when the configuration accepts them) or an
 * OpenID provider's token (when one is configured); `none` and other HS* algorithms are refused. Then revocation.
 */
export class HubTokenVerifier implements TokenVerifier {
  readonly oidc?: OidcVerifier;
  /**
   * Tokens whose signature and claims verified lately (token → principal, until when it may be reused): a client
   * sending the same bearer token on every request is verified once per {@link VERIFIED_TTL_MS}, not per request.
   * An entry is reused only before the token's `exp` (no clock skew granted) and within that time; revocation is
   * checked on every request all the same, so a revocation takes effect at once. Bounded (oldest out first).
   */
  private readonly verified = new Map<string, { p: Principal; until: number }>();

  constructor(private readonly opts: { devSecret: string; devTokens: boolean; oidc?: OidcConfig; revocations?: RevocationCheck }) {
    if (opts.oidc) this.oidc = new OidcVerifier(opts.oidc);
  }

  /** Discovers the OpenID provider (if any); a failure is logged and its tokens refused until it answers. */
  async start(): Promise<void> {
    await this.oidc?.discover();
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.verified.get(token);
    let p: Principal;
    if (hit && now < hit.until) p = { ...hit.p, regions: [...hit.p.regions] };
    else {
      if (hit) this.verified.delete(token);
      p = await this.verifySignature(token);
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { p: { ...p, regions: [...p.regions] }, until: Math.min(now + VERIFIED_TTL_MS, p.expiresAt ?? Infinity) });
    }
    if (this.isRevoked(p)) throw new TokenRejected('REVOKED', 'the token has been revoked; sign in again.');
    return p;
  }

  /** The principal of a token whose signature, algorithm and claims verify (revocation aside); throws {@link TokenRejected}. */
  private async verifySignature(token: string): Promise<Principal> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new TokenRejected('MALFORMED_TOKEN', 'the token is not valid: not a JWT.');
    }
    let p: Principal;
    if (typeof alg !== 'string' || alg.toLowerCase() === 'none') throw new TokenRejected('ALG_NOT_ALLOWED', 'an unsigned token (alg none) is never accepted.');
    if (alg.startsWith('HS')) {
      if (alg !== 'HS256') throw new TokenRejected('ALG_NOT_ALLOWED', `${alg} is not accepted.`);
      if (!this.opts.devTokens)
        throw new TokenRejected('DEV_TOKEN_REFUSED', 'development tokens (HS256) are refused in production; sign in with the identity provider.');
      p = verifyToken(token, this.opts.devSecret);
    } else if (this.oidc) {
      p = await this.oidc.verify(token);
    } else {
      throw new TokenRejected('ALG_NOT_ALLOWED', `${alg} tokens are not accepted: this hub has no identity provider configured (HUB_OIDC_ISSUER).`);
    }
    return p;
  }

  isRevoked(p: Principal): boolean {
    return this.opts.revocations?.isRevoked(p) ?? false;
  }
}

/** The verifier the configuration chooses. */
export function createTokenVerifier(auth: AuthConfig, devSecret: string, revocations?: RevocationCheck): HubTokenVerifier {
  return new HubTokenVerifier({ devSecret, devTokens: auth.devTokens, oidc: auth.oidc, revocations });
}
