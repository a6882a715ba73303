import { IncomingReading } from '../../src/modules/ingest/ingest.rules';

/** A series every `stepMs` from `from` for `n` readings, using `shape(k)` for the totaliser and `flow(k)` for the flow. */
export function series(
  code: string,
  from: number,
  stepMs: number,
  n: number,
  shape: (k: number) => number,
  flow: (k: number) => number | null = () => 2,
): IncomingReading[] {
  return Array.from({ length: n }, (_, k) => ({ meterCode: code, readAt: new Date(from + k * stepMs), cumulativeVolume: shape(k), flowRate: flow(k) }));
}
