/** The demo's metering: 15-minute readings with realistic faults, and the live simulator source. */
import { DAY, SLOT, READING_BATCH, Rng, roundTo } from './demo.random';
import { Meter } from './demo.generate';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Queryable } from '../../platform/sql';
import { ReadingRow, insertReadings } from '../meter/meter.repository';
import { insertRows, insertSimulatorSource, setPlannedVolumeOfYear } from './demo.repository';

/**
 * 15-minute readings for every online meter, streamed through `insertReadings` in batches.
 * Realism for detection: ~2 % of meters fall silent 2–5 days before `now`; one or two each
 * roll back, stick (frozen register and flow) or spike far above `max_flow_rate`.
 */
export async function seedReadings(m: Queryable, rng: Rng, meters: Meter[], days: number, now: Date): Promise<number> {
  const online = meters.filter((x) => x.online);
  const pool = rng.shuffle([...online]);
  const few = online.length >= 50 ? 2 : 1;
  const silent = new Set(days >= 2 ? pool.splice(0, Math.max(1, Math.round(online.length * 0.02))) : []);
  const [rollback, stuck, spike] = [0, 1, 2].map(() => new Set(pool.splice(0, few)));
  const last = Math.floor(now.getTime() / SLOT) * SLOT;
  const slots = days * 96;
  const first = last - (slots - 1) * SLOT;
  let batch: ReadingRow[] = [];
  let inserted = 0;
  for (const meter of online) {
    const end = silent.has(meter) ? last - Math.min(rng.int(2, 5), days - 1) * DAY : last;
    const n = Math.floor((end - first) / SLOT) + 1;
    const at = rng.int(Math.floor(n * 0.3), Math.max(Math.floor(n * 0.3), Math.floor(n * 0.8) - 1));
    const stuckFor = Math.min(rng.int(24, 48), Math.floor(n / 4));
    let cum = roundTo(rng.between(5_000, 3_000_000), 0.001);
    let flow = 0;
    for (let s = 0; s < n; s++) {
      const t = first + s * SLOT;
      if (stuck.has(meter) && s >= at && s < at + stuckFor) {
        batch.push({ meterId: meter.id, readAt: new Date(t), cumulativeVolume: cum, flowRate: flow });
      } else {
        const hour = ((t / 3_600_000 + 8) % 24) / 24;
        const weekday = new Date(t + 8 * 3_600_000).getUTCDay();
        flow = meter.avgFlow * (1 + 0.35 * Math.sin(2 * Math.PI * (hour - 0.33))) * (weekday === 0 || weekday === 6 ? 0.85 : 1) * rng.between(0.9, 1.1);
        if (spike.has(meter) && s === at) flow = meter.maxFlow * rng.between(4, 8);
        flow = roundTo(flow, 0.01);
        cum = roundTo(cum + flow * 0.25, 0.001);
        if (rollback.has(meter) && s === at) cum = roundTo(Math.max(0, cum - meter.avgFlow * 24 * rng.between(1, 5)), 0.001);
        batch.push({ meterId: meter.id, readAt: new Date(t), cumulativeVolume: cum, flowRate: flow });
      }
      if (batch.length >= READING_BATCH) {
        inserted += await insertReadings(m, batch);
        batch = [];
        await nextTurn(); // generating and inserting a batch takes a while: let requests in between
      }
    }
  }
  if (batch.length) inserted += await insertReadings(m, batch);
  return inserted;
}

/** The demo's live feed: six meters of their own, fed every 15 minutes by the simulator connector. */
export const SIM_BEHAVIOURS = ['normal', 'silent', 'rollback', 'stuck', 'spike', 'overdraw'] as const;

/**
 * Registers meters SIM-01…SIM-06 (one per behaviour: a silent, a rolling-back, a stuck, a
 * spiking meter and an enterprise that overdraws its plan) and a `demo-simulator` data
 * source with a 15-minute schedule that starts three days back, so the first sync and its
 * detection have something to find.
 */
export async function seedSimulatorSource(m: Queryable, enterpriseIds: string[], now: Date): Promise<void> {
  // One meter per behaviour; a demo with fewer enterprises than behaviours gives some of them two.
  const meters = SIM_BEHAVIOURS.map((behaviour, i) => ({
    id: randomUUID(),
    enterpriseId: enterpriseIds[i % enterpriseIds.length],
    code: `SIM-0${i + 1}`,
    behaviour,
  }));
  await insertRows(m, 'meter', [
    ['id', 'uuid', meters.map((x) => x.id)],
    ['meter_code', 'text', meters.map((x) => x.code)],
    ['enterprise_id', 'uuid', meters.map((x) => x.enterpriseId)],
    ['online', 'bool', meters.map(() => true)],
    ['level', 'int2', meters.map((x) => (x.behaviour === 'overdraw' ? 1 : 2))],
    ['reporting_interval_seconds', 'int4', meters.map(() => SLOT / 1000)],
    ['max_flow_rate', 'float8', meters.map(() => 30)],
  ]);
  const config = {
    meters: meters.map((x) => ({ meterCode: x.code, avgFlow: x.behaviour === 'overdraw' ? 40 : 8, maxFlowRate: 30, behaviour: x.behaviour })),
    start: new Date(now.getTime() - 3 * DAY).toISOString(),
    seed: 20231018,
  };
  await insertSimulatorSource(m, config);
  // The overdrawing enterprise gets a plan its feed will exceed within days (OVER_PLAN).
  const overdraw = meters.find((x) => x.behaviour === 'overdraw')!;
  await setPlannedVolumeOfYear(m, overdraw.enterpriseId, now, 1000);
}
