/** How the benchmarks print figures. */

/** A count with thousands separators: 1,234,567. */
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Milliseconds as seconds: "1.23 s". */
export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
