/** One simulated meter: seeded, random-access consumption and events (see simulator.connector.ts). */
import { RawReading } from '../connector';
import { DAY_MS, HOUR_MS, SimulatorBehaviour, SimulatorMeterConfig } from './simulator.settings';

const LOCAL_OFFSET_MS = 8 * HOUR_MS;
const SILENT_BEFORE_NOW_MS = 30 * HOUR_MS;
const EVENT_PERIOD_MS = 3 * DAY_MS;
const STUCK_PERIOD_MS = 36 * HOUR_MS;
const STUCK_RUN = 12;
const SPIKE_FACTOR = 4;
const OVERDRAW_FACTOR = 3;
const DEFAULT_MAX_FACTOR = 3;
/** Normal flow stays below this share of maxFlowRate… */
const CAP_SHARE = 0.95;
/** …which is feasible because a day's mean flow is held below this share. */
const MAX_MEAN_SHARE = 0.6;

// ---------------------------------------------------------------------------------------
// Seeded randomness with random access: one mulberry32 draw from a hash of the key.

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ ((b + 0x9e3779b9) | 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mulberry32(seed: number): number {
  let a = (seed + 0x6d2b79f5) | 0;
  a = Math.imul(a ^ (a >>> 15), 1 | a);
  a = (a + Math.imul(a ^ (a >>> 7), 61 | a)) ^ a;
  return ((a ^ (a >>> 14)) >>> 0) / 4_294_967_296;
}

/** Independent random streams of one meter. */
const Stream = { Day: 1, Slot: 2, Phase: 3, StartVolume: 4 } as const;
type Stream = (typeof Stream)[keyof typeof Stream];

// ---------------------------------------------------------------------------------------
// One meter's model

/** Relative flow by local (UTC+8) hour: a working day. */
function hourWeight(localHour: number): number {
  if (localHour < 6) return 0.3;
  if (localHour < 8) return 0.8;
  if (localHour < 12) return 1.6;
  if (localHour < 13) return 1.1;
  if (localHour < 18) return 1.6;
  if (localHour < 22) return 0.9;
  return 0.45;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;

interface Periodic {
  period: number;
  phase: number;
}

export class MeterModel {
  readonly code: string;
  readonly behaviour: SimulatorBehaviour;
  readonly intervalMs: number;
  readonly anchorMs: number;
  private readonly hash: number;
  private readonly perBlock: number;
  private readonly dtH: number;
  private readonly meanFlow: number;
  readonly maxFlowRate: number;
  private readonly startVolume: number;
  private readonly event: Periodic | null;
  private readonly rollbackDrop: number;
  private readonly spikeExtra: number;
  private readonly stuckRun: number;
  /** prefix[b] = volume of blocks 0..b-1. */
  private readonly prefix: number[] = [0];
  /** Stuck: lost[k] = volume not counted by runs 0..k-1. */
  private readonly lost: number[] = [0];
  private readonly blocks = new Map<number, Float64Array>();

  constructor(
    cfg: SimulatorMeterConfig,
    private readonly seed: number,
    anchorBaseMs: number,
  ) {
    this.code = cfg.meterCode;
    this.behaviour = cfg.behaviour;
    this.hash = hashString(cfg.meterCode);
    this.intervalMs = cfg.intervalSeconds * 1000;
    this.anchorMs = Math.floor(anchorBaseMs / this.intervalMs) * this.intervalMs;
    this.perBlock = DAY_MS / this.intervalMs;
    this.dtH = this.intervalMs / HOUR_MS;
    this.meanFlow = cfg.avgFlow * (cfg.behaviour === 'overdraw' ? OVERDRAW_FACTOR : 1);
    this.maxFlowRate = cfg.maxFlowRate ?? DEFAULT_MAX_FACTOR * this.meanFlow;
    this.startVolume = cfg.startVolume ?? 1000 + Math.floor(this.rand(Stream.StartVolume, 0) * 9000);
    const periodMs = cfg.behaviour === 'stuck' ? STUCK_PERIOD_MS : EVENT_PERIOD_MS;
    const period = Math.max(2, Math.round(periodMs / this.intervalMs));
    this.event = ['rollback', 'stuck', 'spike'].includes(cfg.behaviour)
      ? { period, phase: Math.max(1, Math.floor((0.3 + 0.4 * this.rand(Stream.Phase, 0)) * period)) }
      : null;
    this.rollbackDrop = round3(Math.max(1, 0.1 * this.meanFlow * 24));
    this.spikeExtra = SPIKE_FACTOR * this.maxFlowRate * this.dtH;
    this.stuckRun = Math.max(1, Math.min(STUCK_RUN, Math.floor(period / 2)));
  }

  private rand(stream: Stream, index: number): number {
    const lo = index >>> 0;
    const hi = Math.floor(index / 4_294_967_296) >>> 0;
    return mulberry32(mix(mix(mix(mix(this.seed >>> 0, this.hash), stream), lo), hi));
  }

  timeOf(j: number): number {
    return this.anchorMs + j * this.intervalMs;
  }

  /** Volume of block b (24 h from the anchor): the mean flow, shaped by weekday and noise. */
  private blockTotal(b: number): number {
    const mid = this.anchorMs + b * DAY_MS + DAY_MS / 2;
    const weekday = new Date(mid + LOCAL_OFFSET_MS).getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.75 : 1.1;
    const factor = weekly * (0.85 + 0.3 * this.rand(Stream.Day, b));
    return Math.min(this.meanFlow * 24 * factor, MAX_MEAN_SHARE * this.maxFlowRate * 24);
  }

  private prefixTo(b: number): number {
    while (this.prefix.length <= b) {
      const n = this.prefix.length;
      this.prefix.push(this.prefix[n - 1] + this.blockTotal(n - 1));
    }
    return this.prefix[b];
  }

  /** cum[i] = volume of the block's first i intervals (interval j ends at slot j). */
  private block(b: number): Float64Array {
    const cached = this.blocks.get(b);
    if (cached) return cached;
    const n = this.perBlock;
    const q = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const j = b * n + i + 1;
      const mid = this.timeOf(j) - this.intervalMs / 2;
      const localHour = ((((mid + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
      q[i] = hourWeight(localHour) * (0.8 + 0.4 * this.rand(Stream.Slot, j));
      sum += q[i];
    }
    const total = this.blockTotal(b);
    for (let i = 0; i < n; i++) q[i] = (q[i] * total) / sum;
    // Water-fill: no interval above CAP_SHARE × maxFlowRate, the block total unchanged.
    const capQ = CAP_SHARE * this.maxFlowRate * this.dtH;
    for (let round = 0; round < 20; round++) {
      let excess = 0;
      let free = 0;
      for (let i = 0; i < n; i++) {
        const v = q[i];
        if (v > capQ) {
          excess += v - capQ;
          q[i] = capQ;
        } else if (v < capQ) free += v;
      }
      if (excess <= 1e-12 || free <= 0) break;
      for (let i = 0; i < n; i++) if (q[i] < capQ) q[i] = q[i] * (1 + excess / free);
    }
    const cum = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + q[i];
    if (this.blocks.size >= 64) this.blocks.delete(this.blocks.keys().next().value as number);
    this.blocks.set(b, cum);
    return cum;
  }

  /** Totaliser without behaviours at slot j ≥ 0. */
  private volume(j: number): number {
    if (j <= 0) return this.startVolume;
    const b = Math.floor((j - 1) / this.perBlock);
    return this.startVolume + this.prefixTo(b) + this.block(b)[j - b * this.perBlock];
  }

  /** Mean flow over the interval ending at slot j (the one starting at the anchor for j = 0). */
  private flow(j: number): number {
    const k = Math.max(1, j);
    return (this.volume(k) - this.volume(k - 1)) / this.dtH;
  }

  /** Events at or before slot j. */
  private eventsUpTo(j: number): number {
    const e = this.event;
    if (!e || j < e.phase) return 0;
    return Math.floor((j - e.phase) / e.period) + 1;
  }

  private lostBefore(run: number): number {
    const e = this.event as Periodic;
    while (this.lost.length <= run) {
      const k = this.lost.length - 1;
      const s = e.phase + k * e.period;
      this.lost.push(this.lost[k] + this.volume(s + this.stuckRun - 1) - this.volume(s - 1));
    }
    return this.lost[run];
  }

  /** Slot j as the meter reports it, or null when it reports nothing then. */
  reading(j: number, nowMs: number): RawReading | null {
    const t = this.timeOf(j);
    if (this.behaviour === 'silent' && t > nowMs - SILENT_BEFORE_NOW_MS) return null;
    let total = this.volume(j);
    let flow = this.flow(j);
    const events = this.eventsUpTo(j);
    const e = this.event;
    if (this.behaviour === 'rollback') {
      total = Math.max(0, total - this.rollbackDrop * events);
    } else if (this.behaviour === 'spike') {
      total += this.spikeExtra * events;
      if (e && j >= e.phase && (j - e.phase) % e.period === 0) flow += this.spikeExtra / this.dtH;
    } else if (this.behaviour === 'stuck' && e && events > 0) {
      const run = events - 1;
      const runStart = e.phase + run * e.period;
      total = j < runStart + this.stuckRun ? this.volume(runStart - 1) - this.lostBefore(run) : total - this.lostBefore(run + 1);
    }
    return { meterCode: this.code, readAt: new Date(t), cumulativeVolume: round3(total), flowRate: round4(flow) };
  }

  /** First slot index strictly after time t (never before the anchor). */
  firstAfter(t: number): number {
    return Math.max(0, Math.floor((t - this.anchorMs) / this.intervalMs) + 1);
  }

  /** First slot index at or after time t (never before the anchor). */
  firstFrom(t: number): number {
    return Math.max(0, Math.ceil((t - this.anchorMs) / this.intervalMs));
  }

  /** Whether the grid has a slot exactly at t. */
  hasSlotAt(t: number): boolean {
    return t >= this.anchorMs && (t - this.anchorMs) % this.intervalMs === 0;
  }
}
