import { PlanYearProbe, probePlanYear } from '../support/plan-year-probe';
import { probeOnPostgres } from '../support/hub';
import { probeOnEmbedded } from '../support/embedded-probe';

/**
 * Detection's cached plan-year states (issue 12 target 6): on the year path (the default) OVER_PLAN, NO_PLAN and
 * NO_VALID_PERMIT continue each level-1 meter's cached state with the days after it, and raise exactly the drafts
 * of the days path (every day of the year from meter_day) and of the readings path, on a fixture with gaps, a
 * wrap, a rollback, a daily meter spanning the year's start and a permit gap, at instants inside days, in and out
 * of time order, after late readings land in cached days out of order, a cached day is rebuilt and one deleted.
 * On both databases (PGlite in a process of the compiled build, as it cannot load inside jest's VM).
 */
const onPostgres = () => probeOnPostgres('planyear', probePlanYear);

describe.each([
  ['postgres', onPostgres],
  ['pglite', () => probeOnEmbedded<PlanYearProbe>('plan-year-probe')],
])('plan-year cache (%s)', (_kind, probe) => {
  let seen: PlanYearProbe;
  beforeAll(async () => {
    seen = await probe();
  }, 180_000);

  it('raises the drafts of the days and the readings paths at every instant', () => {
    for (const o of seen.observations) {
      expect({ step: o.step, at: o.at, diff: o.diff ?? null }).toEqual({ step: o.step, at: o.at, diff: null });
      expect({ step: o.step, at: o.at, sameAsDays: o.sameAsDays, sameAsReadings: o.sameAsReadings }).toEqual({
        step: o.step,
        at: o.at,
        sameAsDays: true,
        sameAsReadings: true,
      });
    }
    // The plan-year rules all have something to find.
    const kinds = new Set(seen.observations.flatMap((o) => o.kinds));
    for (const k of ['OVER_PLAN', 'NO_PLAN', 'NO_VALID_PERMIT', 'COUNTER_ROLLBACK']) expect(kinds).toContain(k);
    // Enterprise 1's permit revoked: its consumption days from the cache (mostly read without them before) raise it too.
    const revoked = seen.observations.find((o) => o.step === 'after a revocation')!;
    expect(revoked.drafts).toBeGreaterThan(seen.observations.find((o) => o.step === 'after a deleted day')!.drafts);
  });

  it('continues cached states: repeated and later instants find them, older instants and changed meters do not', () => {
    const by = (step: string, at: string) => seen.observations.filter((o) => o.step === step && o.at === at).map((o) => o.validBefore);
    // The first run computes all five level-1 meters afresh and caches them; the same instant again finds all five.
    expect(by('in order', '2025-02-10T12:07:00+08:00')).toEqual([0, 5]);
    expect(by('in order', '2025-03-05T10:00:00+08:00')).toEqual([5, 5]);
    // Late readings in PY-D's cached days: its state is stale, the others' not; the next run caches it again.
    expect(by('after late readings', '2025-03-05T10:00:00+08:00')).toEqual([4, 5]);
    expect(by('after a rebuilt day', '2025-03-05T10:00:00+08:00')).toEqual([4]);
    expect(by('after a deleted day', '2025-03-06T01:00:00+08:00')).toEqual([4]);
    expect(seen.epochs['PY-D']).toBeGreaterThan(0);
    expect(seen.epochs['PY-E']).toBeGreaterThan(0);
    expect(seen.epochs['PY-A']).toBeGreaterThan(0);
    expect(seen.epochs['PY-B']).toBe(0);
    expect(seen.epochs['PY-C']).toBe(0);
    expect(seen.cached).toBeGreaterThanOrEqual(5);
  });
});
