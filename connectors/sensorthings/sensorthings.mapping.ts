/** How SensorThings Datastreams and Observations become readings: units and observations (see sensorthings.connector.ts). */
import { RawReading } from '../connector';

// ---------------------------------------------------------------------------------------
// Units

const LITRE_WORDS = new Set(['l', 'ℓ', 'lt', 'ltr', 'litre', 'litres', 'liter', 'liters', 'dm3', 'dm^3', 'dm³', 'dm**3']);
const CUBIC_METRE_WORDS = new Set([
  'm3',
  'm^3',
  'm³',
  'm**3',
  'kl',
  'kilolitre',
  'kiloliter',
  'cubic metre',
  'cubic meter',
  'cubic metres',
  'cubic meters',
  'cubicmetre',
  'cubicmeter',
]);

function factorOfWord(value: unknown): number | null {
  if (typeof value !== 'string' || !value.trim()) return null;
  let s = value.trim();
  if (/^(https?:|urn:)/i.test(s)) s = s.split(/[#/:]/).filter(Boolean).pop() ?? '';
  const w = s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
  if (LITRE_WORDS.has(w)) return 0.001;
  if (CUBIC_METRE_WORDS.has(w) || CUBIC_METRE_WORDS.has(w.replace(/ /g, ''))) return 1;
  return null;
}

/** m³ per unit of a SensorThings `unitOfMeasurement`, or null when it is not a volume we know. */
export function volumeFactor(unit: unknown): number | null {
  if (!unit || typeof unit !== 'object') return null;
  const u = unit as Record<string, unknown>;
  for (const v of [u.symbol, u.name, u.definition]) {
    const f = factorOfWord(v);
    if (f !== null) return f;
  }
  return null;
}
// ---------------------------------------------------------------------------------------
// Observations

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export type Parsed = { ok: true; reading: RawReading; key: string; keyMs: number } | { ok: false; reason: string; key?: string; keyMs?: number };

function parseTime(s: string): number {
  return ISO_INSTANT.test(s) ? Date.parse(s) : Number.NaN;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function describe(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface Stream {
  key: string;
  id: number | string;
  meterCode: string;
  factor: number;
  label: string;
}

/** Divides rather than multiplies by 0.001, so 1234 L is 1.234 m³, not 1.2340000000000002. */
function toCubicMetres(value: number, factor: number): number {
  return factor === 1 ? value : value / (1 / factor);
}

export function parseObservation(stream: Stream, obs: unknown): Parsed {
  if (!obs || typeof obs !== 'object') return { ok: false, reason: `${stream.label}: observation is not an object` };
  const o = obs as Record<string, unknown>;
  const ref = `${stream.label} observation ${o['@iot.id'] !== undefined ? describe(o['@iot.id']) : '?'}`;
  const pt = o.phenomenonTime;
  if (typeof pt !== 'string' || !pt.trim()) return { ok: false, reason: `${ref}: phenomenonTime missing` };
  const parts = pt.trim().split('/');
  if (parts.length > 2) return { ok: false, reason: `${ref}: phenomenonTime ${describe(pt)} is not an instant or interval` };
  const key = (parts[0] ?? '').trim();
  const end = (parts[1] ?? key).trim();
  const keyMs = parseTime(key);
  const endMs = parseTime(end);
  if (Number.isNaN(keyMs) || Number.isNaN(endMs)) {
    return { ok: false, reason: `${ref}: phenomenonTime ${describe(pt)} is not ISO 8601` };
  }
  if (endMs < keyMs) return { ok: false, reason: `${ref}: phenomenonTime interval ${describe(pt)} ends before it starts`, key, keyMs };
  const result = toNumber(o.result);
  if (result === null) return { ok: false, reason: `${ref}: result ${describe(o.result)} is not a number`, key, keyMs };
  if (result < 0) return { ok: false, reason: `${ref}: result ${result} is negative`, key, keyMs };
  const params = o.parameters && typeof o.parameters === 'object' ? (o.parameters as Record<string, unknown>) : undefined;
  const flow = params ? toNumber(params.flowRate) : null;
  return {
    ok: true,
    key,
    keyMs,
    reading: {
      meterCode: stream.meterCode,
      readAt: new Date(endMs),
      cumulativeVolume: toCubicMetres(result, stream.factor),
      flowRate: flow !== null && flow >= 0 ? toCubicMetres(flow, stream.factor) : null,
    },
  };
}
