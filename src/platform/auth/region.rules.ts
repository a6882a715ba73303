/** Administrative division codes (GB/T 2260) and the jurisdiction prefixes access control is built on. */

const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
]);

/** A 6-digit administrative division code (GB/T 2260) of a real province; null when valid. */
export function regionCodeProblem(code: string): string | null {
  if (!/^\d{6}$/.test(code)) return `region code must be 6 digits (GB/T 2260, e.g. 130821), got '${code}'`;
  if (!PROVINCES.has(Number(code.slice(0, 2)))) return `region code ${code} does not start with a province code (11–82)`;
  if (code.slice(2, 4) === '00' && code.slice(4) !== '00') return `region code ${code} names a county under no city`;
  return null;
}

/** The jurisdiction prefix of a region: 130800 (a city) covers every 1308xx, 130000 the province. */
export function jurisdictionPrefix(regionCode: string): string {
  return regionCode.replace(/(00)+$/, '');
}
