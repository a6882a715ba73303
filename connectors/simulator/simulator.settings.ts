/** Settings of a `simulator` data source (see simulator.connector.ts for what it simulates). */
import { z } from 'zod';
import { parseSettings } from '../connector';

export type SimulatorBehaviour = 'normal' | 'silent' | 'rollback' | 'stuck' | 'spike' | 'overdraw';

export interface SimulatorMeterConfig {
  meterCode: string;
  /** Reading interval; must divide a day. Default 900. */
  intervalSeconds: number;
  /** Mean flow, m³/h (before the `overdraw` factor). */
  avgFlow: number;
  /** m³/h; default 3 × the meter's mean flow. Normal flow stays below 0.95 × this. */
  maxFlowRate?: number;
  /** Totaliser at the anchor (see the module comment); default seeded in 1,000–10,000 m³. */
  startVolume?: number;
  behaviour: SimulatorBehaviour;
}

export interface SimulatorConfig {
  meters: SimulatorMeterConfig[];
  /** ISO time of the first reading; default 3 days before now. */
  start?: string;
  /** Default 1. */
  seed: number;
  /** ISO time the simulation runs up to; default the wall clock (tests pin it). */
  now?: string;
}

export const TYPE = 'simulator';
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const FIXED_ANCHOR_MS = Date.UTC(2020, 0, 1);
export const DEFAULT_WINDOW_MS = 3 * DAY_MS;

const BEHAVIOURS = ['normal', 'silent', 'rollback', 'stuck', 'spike', 'overdraw'] as const;
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2024-03-01T00:00:00Z' });

const meterSchema = z.strictObject({
  meterCode: z.string().trim().min(1, 'must not be empty'),
  intervalSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(60, 'must be at least 60')
    .max(86_400, 'must be at most 86400')
    .refine((s) => 86_400 % s === 0, 'must divide a day (86400 s), e.g. 900')
    .default(900),
  avgFlow: z.number({ error: 'must be a number (m³/h)' }).positive('must be positive (m³/h)'),
  maxFlowRate: z.number().positive('must be positive (m³/h)').optional(),
  startVolume: z.number().min(0, 'must not be negative').optional(),
  behaviour: z.enum(BEHAVIOURS, { error: `must be one of ${BEHAVIOURS.join(', ')}` }).default('normal'),
});

const schema = z.strictObject({
  meters: z
    .array(meterSchema)
    .min(1, 'must list at least one meter')
    .refine((ms) => new Set(ms.map((m) => m.meterCode)).size === ms.length, 'meterCode must be unique'),
  start: isoTime.optional(),
  seed: z.number().int('must be an integer').default(1),
  now: isoTime.optional(),
});

export const parseConfig = (config: unknown): SimulatorConfig => parseSettings(TYPE, schema, config);
