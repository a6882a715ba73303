/** How the benchmarks print figures. */

/** A count with thousands separators: 1,234,567. */
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Milliseconds as seconds: "1.23 s". */
export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The median of `xs` (the mean of the two middle values when their number is even). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
