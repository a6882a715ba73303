/**
 * `simulator`: realistic meter readings for the demo, without any network.
 *
 * Each meter reports its totaliser (m³) and flow (m³/h) every `intervalSeconds`
 * (default 900) on a UTC-aligned grid. Consumption follows a working day in China
 * Standard Time (UTC+8: most flow 08:00–18:00, little at night, less at weekends) with
 * seeded noise; over a day the mean flow is `avgFlow`, and no interval exceeds
 * 0.95 × `maxFlowRate` (default 3 × the meter's mean flow) unless it is a spike.
 *
 * Everything is a pure function of (seed, meterCode, slot time): the same cursor gives
 * the same readings, re-running a page never changes a value, and readings do not
 * depend on when the sync runs. For that the totaliser is anchored at `start` when it
 * is configured (then `startVolume` is the totaliser at `start`), and at 2020-01-01T00:00Z
 * when it is not (the default "3 days before now" moves with the clock and must not
 * shift the totaliser; `startVolume` is then the totaliser at that anchor).
 *
 * Behaviours (periods count from the anchor, phases are seeded, so a 3-day window
 * starting at the anchor holds exactly one rollback and one spike, and two stuck runs):
 * - `normal`: monotonic totaliser.
 * - `silent`: no reading later than 30 h before now (NON_NETWORKED).
 * - `rollback`: every 3 days, the totaliser drops by max(1 m³, 10 % of a day's volume) and
 *   counts on from there (COUNTER_ROLLBACK).
 * - `stuck`: every 36 h, the totaliser freezes for 12 readings while flowRate stays
 *   positive, then counts on from the frozen value (STUCK_READING; no catch-up jump).
 * - `spike`: every 3 days, one interval carries an extra 4 × maxFlowRate (FLOW_SPIKE).
 * - `overdraw`: consumes 3 × `avgFlow` (an enterprise that overdraws its plan, OVER_PLAN);
 *   its default maxFlowRate scales with it.
 *
 * Cursor: the ISO time of the last delivered slot, e.g. `2024-03-05T12:15:00.000Z`; all
 * meters advance together. When more meters report in one slot than `limit` allows, the
 * page ends inside the slot and the cursor is `<ISO>#<k>` (the first k meters of that slot,
 * in configuration order, are delivered). `done` once caught up with now. A bare ISO time
 * from elsewhere (a backfill) is accepted as a cursor.
 *
 * @example
 *   const sim = simulatorConnector.create(simulatorConnector.parseConfig({
 *     meters: [{ meterCode: 'WM-1', avgFlow: 12 }, { meterCode: 'WM-2', avgFlow: 3, behaviour: 'silent' }],
 *   }));
 */
import { Connector, ConnectorDefinition, FeedError, FetchOptions, Page, RawReading, isoCursorAt } from '../connector';
import { MeterModel } from './simulator.model';
import { DEFAULT_WINDOW_MS, FIXED_ANCHOR_MS, SimulatorConfig, TYPE, parseConfig } from './simulator.settings';

export type { SimulatorBehaviour, SimulatorConfig, SimulatorMeterConfig } from './simulator.settings';

// ---------------------------------------------------------------------------------------
// Cursor

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))(?:#(\d+))?$/i;

function parseCursor(cursor: string | null): { t: number; k: number } | null {
  if (cursor === null || cursor === '') return null;
  const m = CURSOR.exec(cursor.trim());
  const t = m ? Date.parse(m[1]) : Number.NaN;
  if (!m || Number.isNaN(t)) {
    throw new FeedError(`${TYPE}: cursor ${JSON.stringify(cursor.slice(0, 80))} is not an ISO time (optionally #n)`, false);
  }
  return { t, k: m[2] === undefined ? 0 : Number(m[2]) };
}

// ---------------------------------------------------------------------------------------

class SimulatorConnector implements Connector {
  readonly type = TYPE;
  private readonly models: MeterModel[];
  private readonly startMs: number | null;
  private readonly fixedNowMs: number | null;

  constructor(private readonly cfg: SimulatorConfig) {
    this.startMs = cfg.start !== undefined ? Date.parse(cfg.start) : null;
    this.fixedNowMs = cfg.now !== undefined ? Date.parse(cfg.now) : null;
    const anchor = this.startMs ?? Math.min(FIXED_ANCHOR_MS, (this.fixedNowMs ?? Date.now()) - DEFAULT_WINDOW_MS);
    this.models = cfg.meters.map((m) => new MeterModel(m, cfg.seed, anchor));
  }

  fetchPage(cursor: string | null, opts: FetchOptions): Promise<Page> {
    // The page is computed, nothing to wait for; the executor turns a throw into a rejection as an async method would.
    return new Promise((resolve) => resolve(this.page(cursor, opts)));
  }

  private page(cursor: string | null, opts: FetchOptions): Page {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const limit = Math.max(1, Math.floor(opts.limit));
    const nowMs = this.fixedNowMs ?? Date.now();
    const from = parseCursor(cursor);
    const models = this.models;

    // Next slot per meter; inside a split slot, the first k meters of it are done.
    let ordinal = 0;
    const next = models.map((m) => {
      if (from === null) return m.firstFrom(this.startMs ?? nowMs - DEFAULT_WINDOW_MS);
      const after = m.firstAfter(from.t);
      if (from.k > 0 && m.hasSlotAt(from.t)) return ordinal++ < from.k ? after : after - 1;
      return after;
    });

    const readings: RawReading[] = [];
    let lastT: number | null = null;
    let split: number | null = null;
    const nextTime = (): number => {
      let t = Number.POSITIVE_INFINITY;
      for (let i = 0; i < models.length; i++) t = Math.min(t, models[i].timeOf(next[i]));
      return t;
    };

    for (let t = nextTime(); t <= nowMs; t = nextTime()) {
      const group: number[] = [];
      for (let i = 0; i < models.length; i++) if (models[i].timeOf(next[i]) === t) group.push(i);
      const rows = group.map((i) => models[i].reading(next[i], nowMs));
      const count = rows.filter((r) => r !== null).length;
      if (readings.length + count <= limit) {
        for (const r of rows) if (r) readings.push(r);
        for (const i of group) next[i] = next[i] + 1;
        lastT = t;
        split = null;
        continue;
      }
      if (readings.length > 0) break;
      // One slot holds more readings than `limit`: end the page inside it.
      let taken = 0;
      for (let g = 0; g < group.length; g++) {
        const r = rows[g];
        if (r && readings.length === limit) break;
        if (r) readings.push(r);
        next[group[g]] = next[group[g]] + 1;
        taken++;
      }
      split = (from !== null && from.t === t ? from.k : 0) + taken;
      lastT = t;
      break;
    }

    const nextCursor = lastT === null ? cursor : split !== null ? `${new Date(lastT).toISOString()}#${split}` : new Date(lastT).toISOString();
    return { readings, rejected: [], nextCursor, done: nextTime() > nowMs };
  }
}

export const simulatorConnector: ConnectorDefinition<SimulatorConfig> = {
  cursorAt: isoCursorAt,
  type: TYPE,
  parseConfig,
  secretKeys: [],
  create: (config) => new SimulatorConnector(config),
};
