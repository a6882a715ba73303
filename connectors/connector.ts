import type { z } from 'zod';
import type { OutboundGuard } from '../src/platform/http-client';
/**
 * One interface for every feed the hub pulls meter readings from. A connector turns a
 * cursor into the next page of readings; the sync job stores the page and only then
 * advances the data source's cursor (kept in Postgres), so a crash never skips data.
 *
 * @example
 *   const c = createConnector('http-json', { baseUrl: 'https://vendor.example/api', token: '…' });
 *   let cursor = null;
 *   for (;;) {
 *     const page = await c.fetchPage(cursor, { limit: 1000, signal });
 *     await ingest(page.readings);           // store first…
 *     cursor = page.nextCursor;              // …then advance
 *     if (page.done) break;
 *   }
 */

/** A reading as a feed reports it, mapped to the hub's units (m³, m³/h). */
export interface RawReading {
  meterCode: string;
  readAt: Date;
  /** Totaliser, cubic metres. */
  cumulativeVolume: number;
  /** Instantaneous flow, cubic metres per hour. */
  flowRate: number | null;
}

/** A record the connector could not map; the rest of its page is kept. */
export interface RejectedRecord {
  /** Position in the page (or line number in a file, 1-based). */
  position: number;
  reason: string;
}

export interface Page {
  readings: RawReading[];
  rejected: RejectedRecord[];
  /** The cursor that covers this page; pass it to the next call. Unchanged when nothing new. */
  nextCursor: string | null;
  /** True when the feed has nothing more right now. */
  done: boolean;
}

export interface FetchOptions {
  /** Largest number of readings wanted in one page. */
  limit: number;
  signal?: AbortSignal;
}

export interface Connector {
  readonly type: string;
  fetchPage(cursor: string | null, opts: FetchOptions): Promise<Page>;
  /** Called once when the sync ends (close files, sockets). */
  close?(): Promise<void>;
}

/** Raised for a feed that is down or answers garbage: the run fails with this message and is retried. */
export class FeedError extends Error {
  constructor(
    message: string,
    /** False for errors a retry cannot fix (bad credentials, bad settings). */
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

/** What the hub lends a connector it creates. */
export interface ConnectorEnv {
  /**
   * The outbound address policy (src/platform/net/address-policy.ts): a connector that opens URLs passes it to every
   * `request` (checked again at connect time, after DNS). Absent only in connector unit tests.
   */
  policy?: OutboundGuard;
}

export interface ConnectorDefinition<C> {
  type: string;
  /** Validates settings; throws with a message naming the bad field. */
  parseConfig(config: unknown): C;
  /** Setting names that are secrets: write-only, never returned or logged. */
  secretKeys: readonly string[];
  create(config: C, env?: ConnectorEnv): Connector;
  /** The URLs a source with these settings will open (checked against the outbound policy when the source is created). */
  targets?(config: C): string[];
  /**
   * For feeds whose cursors are times: the cursor from which the next page starts at
   * `time` (inclusive). Connectors with one makes backfill over a time range possible.
   */
  cursorAt?(time: Date): string;
}

/**
 * A connector's `parseConfig` over its zod schema: the settings, or a FeedError no retry
 * can fix that names every bad field (`separator` joins a field and its message).
 */
export function parseSettings<C>(type: string, schema: z.ZodType<C>, config: unknown, separator = ': '): C {
  const parsed = schema.safeParse(config ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(settings)'}${separator}${i.message}`);
  throw new FeedError(`Invalid ${type} settings: ${problems.join('; ')}`, false);
}

/** `cursorAt` for connectors that take a bare ISO instant as "everything after it". */
export const isoCursorAt = (time: Date): string => new Date(time.getTime() - 1).toISOString();
