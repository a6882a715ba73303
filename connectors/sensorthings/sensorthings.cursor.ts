/**
 * The `sensorthings` cursor: `{"v":1,"ds":{"<datastream id>":"<phenomenonTime>"}}`, or a bare
 * ISO 8601 instant (backfill from then on). See sensorthings.connector.ts.
 */
import { FeedError } from '../connector';
import { ISO_INSTANT } from './sensorthings.mapping';
import { TYPE } from './sensorthings.settings';

interface CursorState {
  /** Datastream key → phenomenonTime (instant or interval start) of the last consumed observation. */
  ds: Record<string, string>;
  /** Lower bound for Datastreams not in `ds` (a bare ISO cursor). */
  after?: string;
}

export function parseCursor(cursor: string | null): CursorState {
  if (cursor === null || cursor === '') return { ds: {} };
  const text = cursor.trim();
  if (ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text))) return { ds: {}, after: text };
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && (v as { v?: unknown }).v === 1) {
      const ds = (v as { ds?: unknown }).ds;
      if (ds && typeof ds === 'object' && !Array.isArray(ds)) {
        const entries = Object.entries(ds as Record<string, unknown>);
        if (entries.every(([, t]) => typeof t === 'string' && ISO_INSTANT.test(t))) {
          return { ds: Object.fromEntries(entries) as Record<string, string> };
        }
      }
    }
  } catch {
    /* fall through */
  }
  throw new FeedError(`${TYPE}: cursor ${JSON.stringify(cursor.slice(0, 80))} is not a SensorThings cursor`, false);
}

export function formatCursor(ds: Record<string, string>): string {
  const sorted = Object.fromEntries(
    Object.keys(ds)
      .sort()
      .map((k) => [k, ds[k]]),
  );
  return JSON.stringify({ v: 1, ds: sorted });
}
