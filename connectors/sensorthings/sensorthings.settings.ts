/** Settings of a `sensorthings` data source (see sensorthings.connector.ts for the mapping). */
import { z } from 'zod';
import { parseSettings } from '../connector';

export interface SensorThingsConfig {
  /** Service root, e.g. `https://host/FROST-Server/v1.1` (no trailing slash). */
  baseUrl: string;
  /** Where a Datastream's meter code comes from. Default `{ property: 'meterCode' }`. */
  meterCodeFrom: { property: string } | 'name';
  /** Header carrying the token. Default `Authorization`. */
  authHeader: string;
  /**
   * Secret. With `authHeader: 'Authorization'` it is sent as `Bearer <token>` unless it
   * already names a scheme (`Basic …`); with any other header it is sent as is.
   */
  token?: string;
  /** Per request. Default 15000. */
  timeoutMs: number;
  /** Retries after the first attempt of each request. Default 3. */
  maxRetries: number;
  /** First backoff delay; doubles per retry (equal jitter, at most 30 s). Default 500. */
  retryBaseMs: number;
  /** Lower bound (exclusive) for Datastreams the cursor does not know yet. */
  since?: string;
}

export const TYPE = 'sensorthings';
export const DATASTREAM_PAGE = 200;
export const MAX_OBSERVATION_TOP = 1000;
export const MAX_BACKOFF_MS = 30_000;

const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2024-01-01T00:00:00Z' });

const schema = z.strictObject({
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL of the service root, e.g. https://host/FROST-Server/v1.1' })
    .transform((u) => u.replace(/\/+$/, '')),
  meterCodeFrom: z
    .union([z.literal('name'), z.strictObject({ property: z.string().trim().min(1, 'must not be empty') })], {
      error: "must be 'name' or { property: '<Datastream property key>' }",
    })
    .default({ property: 'meterCode' }),
  authHeader: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')
    .default('Authorization'),
  token: z.string().min(1, 'must not be empty').optional(),
  timeoutMs: z.number().int().min(100).max(300_000).default(15_000),
  maxRetries: z.number().int().min(0).max(10).default(3),
  retryBaseMs: z.number().int().min(0).max(60_000).default(500),
  since: isoInstant.optional(),
});

export const parseConfig = (config: unknown): SensorThingsConfig => parseSettings(TYPE, schema, config);
