/**
 * Field-level mapping shared by the record-oriented connectors (http-json, csv): turns the four
 * documented fields of one feed record into a {@link RawReading}, or says why it cannot.
 *
 * The connector only checks that a record is *well-formed* (present, parseable, finite,
 * non-negative totaliser); whether the meter is known or the time is plausible is the ingest
 * path's business (`src/modules/ingest/ingest.rules.ts`).
 */
import { RawReading } from '../connector';

export interface FieldOptions {
  /**
   * UTC offset (`Z`, `+08:00`, `-0500`) assumed for a `readAt` written without one. Absent:
   * such a time is rejected, because guessing the zone silently shifts every reading.
   */
  assumeOffset?: string;
}

export type FieldResult = { ok: true; reading: RawReading } | { ok: false; reason: string };

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const OFFSET = /^(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/i;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Offset in minutes east of UTC, or null when the text is not an offset. */
export function parseOffset(text: string): number | null {
  const m = OFFSET.exec(text.trim());
  if (!m) return null;
  if (!m[1]) return 0;
  const h = Number(m[2]);
  const min = Number(m[3] ?? '0');
  if (h > 23 || min > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + min);
}

/**
 * Parses an ISO 8601 date-time (`2025-05-01T08:00:00+08:00`, `2025-05-01 00:00:00.5Z`) that
 * carries a UTC offset, or uses `assumeOffset` when it does not. Calendar fields are checked
 * (no 31 April, no hour 24). Returns a reason string when the text is not acceptable.
 */
export function parseIsoDateTime(text: string, assumeOffset?: string): Date | string {
  const m = ISO_8601.exec(text.trim());
  if (!m) return `"${excerpt(text, 40)}" is not an ISO 8601 date-time (e.g. 2025-05-01T08:00:00+08:00)`;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  let offset: number | null;
  if (zone) offset = parseOffset(zone);
  else if (assumeOffset !== undefined) offset = parseOffset(assumeOffset);
  else return `"${excerpt(text, 40)}" has no UTC offset (add Z or e.g. +08:00)`;
  if (offset === null) return `"${excerpt(text, 40)}" has an invalid UTC offset`;
  const [Y, M, D, H, Mi, S] = [y, mo, d, h, mi, s].map(Number);
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  const local = Date.UTC(Y, M - 1, D, H, Mi, S, ms);
  const check = new Date(local);
  if (M < 1 || M > 12 || H > 23 || Mi > 59 || S > 59 || check.getUTCFullYear() !== Y || check.getUTCMonth() !== M - 1 || check.getUTCDate() !== D) {
    return `"${excerpt(text, 40)}" is not a valid calendar date-time`;
  }
  return new Date(local - offset * 60_000);
}

/** A JSON number, or a decimal written as a string ("12.5"); anything else is null. */
function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return Number(v.trim());
  return null;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `"${excerpt(v, 40)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * Maps one record's fields. `flowRate` may be absent, null or an empty string (→ null);
 * numbers may be JSON numbers or decimal strings. Reasons name the field and the bad value.
 */
export function toRawReading(
  rec: { meterCode?: unknown; readAt?: unknown; cumulativeVolume?: unknown; flowRate?: unknown },
  opts: FieldOptions = {},
): FieldResult {
  const code = typeof rec.meterCode === 'string' ? rec.meterCode.trim() : typeof rec.meterCode === 'number' ? String(rec.meterCode) : '';
  if (!code)
    return { ok: false, reason: rec.meterCode == null || rec.meterCode === '' ? 'meterCode is missing' : `meterCode ${show(rec.meterCode)} is not a string` };

  if (typeof rec.readAt !== 'string' || !rec.readAt.trim()) {
    return { ok: false, reason: rec.readAt == null || rec.readAt === '' ? 'readAt is missing' : `readAt ${show(rec.readAt)} is not an ISO 8601 string` };
  }
  const readAt = parseIsoDateTime(rec.readAt, opts.assumeOffset);
  if (typeof readAt === 'string') return { ok: false, reason: `readAt ${readAt}` };

  if (rec.cumulativeVolume == null || rec.cumulativeVolume === '') return { ok: false, reason: 'cumulativeVolume is missing' };
  const volume = toNumber(rec.cumulativeVolume);
  if (volume === null || !Number.isFinite(volume)) return { ok: false, reason: `cumulativeVolume ${show(rec.cumulativeVolume)} is not a finite number` };
  if (volume < 0) return { ok: false, reason: `cumulativeVolume ${volume} is negative (a totaliser never is)` };

  let flowRate: number | null = null;
  if (rec.flowRate != null && rec.flowRate !== '') {
    flowRate = toNumber(rec.flowRate);
    if (flowRate === null || !Number.isFinite(flowRate)) return { ok: false, reason: `flowRate ${show(rec.flowRate)} is not a finite number` };
  }
  return { ok: true, reading: { meterCode: code, readAt, cumulativeVolume: volume, flowRate } };
}

/** The first `max` characters of `text` on one line, with an ellipsis when cut. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
