/** The demo seed's deterministic randomness and units: a seeded generator, time units, rounding and grouping helpers. */
import { chinaDay } from '../../platform/china-time';

export const DAY = 86_400_000;
export const SLOT = 900_000; // 15 minutes
/** Readings per insert statement in the seed: embedded PGlite runs each statement on the event loop (20,000 rows stalled it ~500 ms; 1,000 take some 50 ms). */
export const READING_BATCH = 1_000;
export const RULES = '《承德市企业节约用水信用管理实施细则（试行）》';
/** Seeded permits run from January 1st three years before the seed's year to January 1st two years after it. */
export const PERMIT_FROM_YEAR = (year: number) => year - 3;
export const PERMIT_TO_YEAR = (year: number) => year + 2;

/** mulberry32: small, fast, deterministic. */
export class Rng {
  constructor(private a: number) {}
  next(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let r = this.next() * xs.reduce((s, x) => s + x[1], 0);
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1][0];
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.int(0, 9);
    return s;
  }
}

// ---- Reference data: Chengde's county-level divisions, industries, names -----------------------

// ---- Small helpers -----------------------------------------------------------------------------

export const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Rounds to a multiple of `step` (a power of ten, or 100/1000); dividing by 1/step keeps 28.31 from becoming 28.310000000000002. */
export const roundTo = (x: number, step: number) => (step < 1 ? Math.round(x / step) / Math.round(1 / step) : Math.round(x / step) * step);

/** Rounds up to two significant digits (a meter's nameplate maximum). */
export function niceCeil(x: number): number {
  const exp = Math.floor(Math.log10(Math.max(x, 0.1))) - 1;
  return exp < 0 ? Math.ceil(x * 10 ** -exp) / 10 ** -exp : Math.ceil(x / 10 ** exp) * 10 ** exp;
}

/** A random instant in [lo, hi], moved to a whole minute of office hours (09:00–17:00 CST) of its day when that stays in range. */
export function workingHour(rng: Rng, lo: number, hi: number): number {
  const t = Math.floor(rng.between(lo, Math.max(lo, hi)));
  const office = chinaDay(new Date(t)).start.getTime() + rng.int(9 * 60, 17 * 60 - 1) * 60_000;
  return office >= lo && office <= hi ? office : t;
}

export function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = map.get(k);
    if (list) list.push(x);
    else map.set(k, [x]);
  }
  return map;
}
