/**
 * Calendar arithmetic in Asia/Shanghai (UTC+8 all year: China has observed no daylight
 * saving time since 1991), done with fixed offsets so it is pure and needs no ICU data.
 * Days and years are half-open intervals `[start, end)` of instants.
 */

/** Offset of China Standard Time from UTC, in milliseconds. */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** A calendar day in Asia/Shanghai as an interval of instants. */
export interface ChinaDay {
  /** Local date, `YYYY-MM-DD`. */
  day: string;
  /** 00:00 local time (16:00 UTC of the previous date). */
  start: Date;
  /** 00:00 local time of the next day (exclusive). */
  end: Date;
}

/** Serial number of the Asia/Shanghai day containing `d` (days since 1970-01-01 local). */
export function chinaDayIndex(d: Date): number {
  return Math.floor((d.getTime() + CHINA_OFFSET_MS) / DAY_MS);
}

/** The Asia/Shanghai day with serial number `index` (see {@link chinaDayIndex}). */
export function chinaDayByIndex(index: number): ChinaDay {
  const start = index * DAY_MS - CHINA_OFFSET_MS;
  return { day: new Date(index * DAY_MS).toISOString().slice(0, 10), start: new Date(start), end: new Date(start + DAY_MS) };
}

/** The Asia/Shanghai day containing `d`; e.g. 2025-03-01T23:59+08:00 → day 2025-03-01. */
export function chinaDay(d: Date): ChinaDay {
  return chinaDayByIndex(chinaDayIndex(d));
}

/** The last full Asia/Shanghai day before the day containing `asOf`. */
export function previousChinaDay(asOf: Date): ChinaDay {
  return chinaDayByIndex(chinaDayIndex(asOf) - 1);
}

/** Local date `YYYY-MM-DD` of `d` in Asia/Shanghai. */
export function chinaDateString(d: Date): string {
  return new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Calendar year of `d` in Asia/Shanghai (2024-12-31T16:00Z is already 2025). */
export function chinaYear(d: Date): number {
  return new Date(d.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/** Bounds `[start, end)` of calendar year `year` in Asia/Shanghai (the plan year). */
export function chinaYearBounds(year: number): { start: Date; end: Date } {
  return { start: new Date(Date.UTC(year, 0, 1) - CHINA_OFFSET_MS), end: new Date(Date.UTC(year + 1, 0, 1) - CHINA_OFFSET_MS) };
}
