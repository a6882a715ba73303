import { createHash } from 'node:crypto';
import type { Principal } from '../../platform/auth/principal';

/** The request header (IETF draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long an answered key is kept: a retry within it gets the same answer; after it the key is free again. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;
/** An attempt that neither committed nor answered within this long (its process died) may be taken over by a retry. */
export const IDEMPOTENCY_STALE_SECONDS = 300;
/** An attempt that committed but kept no answer within this long died in between (it keeps its answer milliseconds after the commit). */
export const IDEMPOTENCY_ANSWER_SECONDS = 30;

/** Why a key is unusable, or null: 1 to 255 visible ASCII characters (a UUID is the usual choice). */
export function keyProblem(key: string): string | null {
  if (key.length === 0 || key.length > 255) return 'Idempotency-Key must have 1 to 255 characters (a UUID, say)';
  if (!/^[\x21-\x7e]+$/.test(key)) return 'Idempotency-Key may hold visible ASCII characters only (a UUID, say)';
  return null;
}

/** Whose keys these are: the token's subject; an anonymous caller's, its address (two anonymous callers never share keys). */
export function scopeOf(p: Principal, clientAddress: string | undefined): string {
  return p.role === 'PUBLIC' ? `anonymous@${clientAddress ?? 'unknown'}` : `${p.role}:${p.subject}`;
}

/** What the key stands for: the operation and its variables (a key sent again with another request is refused). */
export function requestHash(query: string | undefined, operationName: string | null | undefined, variables: unknown): string {
  return createHash('sm3')
    .update(JSON.stringify([query ?? '', operationName ?? null, variables ?? null]))
    .digest('hex');
}

/** Codes of answers that say nothing happened and a retry may help: such an attempt frees its key instead of keeping the answer. */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
