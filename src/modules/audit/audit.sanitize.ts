import { createHash } from 'node:crypto';

/** Strings longer than this (UTF-16 units) are stored as a cut with a digest. */
export const AUDIT_STRING_LIMIT = 512;
/** A whole entry's detail above this (serialised, characters) is stored as a cut with a digest. */
export const AUDIT_DETAIL_LIMIT = 64 * 1024;
/** Arrays keep at most this many items (the rest are counted, not stored). */
export const AUDIT_ARRAY_LIMIT = 1000;

/**
 * C0 controls except tab, newline and carriage return, DEL, and lone UTF-16 surrogates: Postgres' text refuses NUL,
 * jsonb refuses `\u0000` and lone surrogates, and the others have no business in a log.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const sm3 = (s: string | Buffer): string => createHash('sm3').update(s).digest('hex');

/** What a string too long or unsafe to keep becomes: its cut (unsafe characters replaced by U+FFFD), SM3 digest and length. */
export interface AuditCut {
  cut: string;
  sm3: string;
  length: number;
}

const needsCut = (s: string): boolean => s.length > AUDIT_STRING_LIMIT || new RegExp(UNSAFE.source).test(s);

export function cutString(s: string, limit = AUDIT_STRING_LIMIT): AuditCut {
  // Cut first, then clean: a surrogate pair split at the limit becomes one replacement character.
  return { cut: s.slice(0, limit).replace(UNSAFE, '\uFFFD'), sm3: sm3(s), length: s.length };
}

/** A text column's value: kept as is when safe, else its cut; `digest` says what it was. */
export function safeText(s: string | null | undefined): { value: string | null; digest?: AuditCut } {
  if (s === null || s === undefined || !needsCut(s)) return { value: s ?? null };
  const digest = cutString(s);
  return { value: digest.cut, digest };
}

/**
 * A detail value that jsonb stores and reads back unchanged, of bounded size: each unsafe or long string becomes
 * an {@link AuditCut}, arrays keep their first {@link AUDIT_ARRAY_LIMIT} items, the whole stays under {@link AUDIT_DETAIL_LIMIT}.
 * Never throws (a value JSON cannot hold is recorded by its type): the entry is never lost.
 */
export function safeDetail(detail: Record<string, unknown>): Record<string, unknown> {
  let value: Record<string, unknown>;
  try {
    value = clean(detail, 0) as Record<string, unknown>;
  } catch {
    value = { unserialisable: true };
  }
  const text = JSON.stringify(value);
  if (text.length <= AUDIT_DETAIL_LIMIT) return value;
  return { oversized: cutString(text, AUDIT_STRING_LIMIT) };
}

function clean(v: unknown, depth: number): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (typeof v === 'string') return needsCut(v) ? cutString(v) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (depth > 8) return { tooDeep: true };
  if (Array.isArray(v)) {
    const items = v.slice(0, AUDIT_ARRAY_LIMIT).map((x) => clean(x, depth + 1));
    return v.length > AUDIT_ARRAY_LIMIT ? [...items, { more: v.length - AUDIT_ARRAY_LIMIT }] : items;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      out[needsCut(k) ? `key:${sm3(k)}` : k] = clean(x, depth + 1);
    }
    return out;
  }
  return String(typeof v);
}
