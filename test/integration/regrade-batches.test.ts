import { execute, parse } from 'graphql';
import { HubContext } from '../../src/modules/context';
import { hubSchema } from '../../src/schema';
import { findByIds } from '../../src/modules/enterprise/enterprise.repository';
import { ratingService } from '../../src/modules/rating/rating.service';
import { comparableRatings, ratingDetails } from '../../src/modules/rating/rating.repository';
import { withTransaction } from '../../src/platform/context';
import { rows as sqlRows } from '../../src/platform/sql';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { policyNow, testPolicies } from '../support/policy-time';
import { applyRegradeDay, seedRegradeMix } from '../support/regrade-mix';

/**
 * Issue 12, target 4: the daily re-grade streams enterprises in batches (keyset, one lock and
 * one read per kind per batch) and stores a rating only when the result changed; an unchanged
 * one is confirmed. Two schemas seeded with the same mix (same ids): one re-graded by the
 * batch path, one by the one-by-one path (`evaluateIn` per enterprise, which stores every
 * evaluation), must end with the same current ratings and the same grade changes published.
 */
const N = 420;
const BATCH = 64;
const policy = policyNow();

interface Side {
  db: Database;
  drop: () => Promise<void>;
  ctx: HubContext;
}
let batched: Side;
let single: Side;

async function side(label: string): Promise<Side> {
  const { db, drop } = await testDatabase(label);
  const ctx = testContext(testDeps(db, { policies: testPolicies() }), { subject: 'system:evaluate', role: 'PROVINCE_AUTHORITY', regions: ['130000'] });
  await seedRegradeMix(db.manager, { enterprises: N, policy, asOf: new Date(Date.now() - 3_600_000) });
  return { db, drop, ctx };
}

beforeAll(async () => {
  batched = await side('regrade_b');
  single = await side('regrade_s');
});
afterAll(async () => {
  await batched?.drop();
  await single?.drop();
});

const ids = async (s: Side) => (await s.db.manager.query(`SELECT id FROM enterprise ORDER BY id`)).map((r: { id: string }) => r.id) as string[];

/** The one-by-one path: each enterprise in its own transaction, through `reevaluateIn` (what a record change runs). */
async function oneByOne(s: Side): Promise<void> {
  for (const id of await ids(s))
    await withTransaction(s.ctx, async (ctx) => {
      const [e] = await findByIds(ctx.db, [id]);
      await ratingService.reevaluateIn(ctx, e);
    });
}

/** Every enterprise's current rating, comparable across the two schemas: everything but ids and times. */
async function currentRatings(s: Side) {
  const rows: { id: string; currentRatingId: string }[] = await s.db.manager.query(
    `SELECT id, current_rating_id AS "currentRatingId" FROM enterprise ORDER BY id`,
  );
  const summaries = new Map(
    (
      await comparableRatings(
        s.db.manager,
        rows.map((r) => r.currentRatingId),
      )
    ).map((r) => [r.id, r]),
  );
  const details = new Map(
    (
      await ratingDetails(
        s.db.manager,
        rows.map((r) => r.currentRatingId),
      )
    ).map((r) => [r.id, r]),
  );
  const decisive = new Map(
    (
      await sqlRows<{ id: string; d: string[] }>(s.db.manager, `SELECT id, decisive_record_ids::text[] AS d FROM credit_rating WHERE id = ANY($1::uuid[])`, [
        rows.map((r) => r.currentRatingId),
      ])
    ).map((r) => [r.id, r]),
  );
  return rows.map((r) => {
    const x = summaries.get(r.currentRatingId)!;
    const d = details.get(r.currentRatingId)!;
    const k = decisive.get(r.currentRatingId)!;
    return {
      enterpriseId: r.id,
      grade: x.grade,
      score: x.score,
      policyVersion: x.policyVersion,
      official: x.official,
      indicators: d.indicators,
      reasons: d.reasons,
      measures: d.measures,
      decisiveRecordIds: [...k.d].sort(),
      evidenceDigest: x.evidenceDigest,
    };
  });
}

const events = async (s: Side) =>
  (
    await s.db.manager.query(
      `SELECT enterprise_id AS e, payload->>'previousGrade' AS p, payload->>'grade' AS g FROM outbox_event ORDER BY enterprise_id, sequence`,
    )
  ).map((r: { e: string; p: string | null; g: string }) => `${r.e}:${r.p ?? '-'}→${r.g}`);

/** The repair notices, comparable across the two schemas (seeded moments apart: record dates differ by that). */
const notices = async (s: Side) =>
  (
    await sqlRows<{ e: string; grade: string; content: { records: { occurredAt?: string }[] } }>(
      s.db.manager,
      `SELECT enterprise_id AS e, grade, content FROM credit_repair_notice ORDER BY enterprise_id, issued_at`,
    )
  ).map((n) => ({ ...n, content: { ...n.content, records: n.content.records.map(({ occurredAt: _, ...r }) => r) } }));

/** Runs the batch path recording the length of every id list a statement carried (what a batch holds in memory and locks follows it). */
async function batchRegrade(s: Side): Promise<{ summary: Awaited<ReturnType<typeof ratingService.reevaluateAll>>; lists: number[] }> {
  const lists: number[] = [];
  const transaction = s.db.transaction.bind(s.db);
  const spy = jest.spyOn(s.db, 'transaction').mockImplementation((fn) =>
    transaction((m) => {
      const query = m.query.bind(m);
      m.query = ((sql: string, params?: unknown[]) => {
        for (const p of params ?? []) if (Array.isArray(p)) lists.push(p.length);
        return query(sql, params);
      }) as typeof m.query;
      return fn(m);
    }),
  );
  try {
    return { summary: await ratingService.reevaluateAll(s.ctx, undefined, BATCH), lists };
  } finally {
    spy.mockRestore();
  }
}

describe('daily re-grade in batches', () => {
  let firstDigests: Map<string, string | null>;

  it('grades every enterprise as the one-by-one path does, across several batches, each statement bounded by the batch', async () => {
    const { summary, lists } = await batchRegrade(batched);
    await oneByOne(single);
    expect(summary).toEqual({ enterprises: N, stored: N, confirmed: 0, gradeChanges: N });
    // Several batches, each a full one but the last, and no statement carrying more than a batch.
    expect(Math.max(...lists)).toBe(BATCH);
    expect(lists.filter((n) => n === BATCH).length).toBeGreaterThanOrEqual(Math.floor(N / BATCH));
    const [b, s] = [await currentRatings(batched), await currentRatings(single)];
    expect(b).toEqual(s);
    // The mix exercises every grade (not all B).
    expect(new Set(b.map((r) => r.grade))).toEqual(new Set(['A', 'B', 'C', 'D']));
    expect(await events(batched)).toEqual(await events(single));
    // The Art. 22 repair notices of the C and D grades: one per enterprise, the same as one by one (written per batch).
    const cd = b.filter((r) => r.grade === 'C' || r.grade === 'D').length;
    expect(cd).toBeGreaterThan(0);
    expect(await notices(batched)).toHaveLength(cd);
    expect(await notices(batched)).toEqual(await notices(single));
    firstDigests = new Map(b.map((r) => [r.enterpriseId, r.evidenceDigest]));
  });

  it('confirms an unchanged result instead of storing it again, stores and publishes only the changes', async () => {
    const before: { id: string; currentRatingId: string }[] = await batched.db.manager.query(
      `SELECT id, current_rating_id AS "currentRatingId" FROM enterprise ORDER BY id`,
    );
    const eventsBefore = (await events(batched)).length;
    for (const s of [batched, single]) await applyRegradeDay(s.db.manager, { enterprises: N, day: 1, at: new Date(Date.now() - 60_000), policy });
    const startedAt = new Date();
    const { summary } = await batchRegrade(batched);
    await oneByOne(single);

    // The day changed some results, not most.
    expect(summary.stored).toBeGreaterThan(0);
    expect(summary.stored).toBeLessThan(N / 10);
    expect(summary.confirmed + summary.stored).toBe(N);
    const [b, s] = [await currentRatings(batched), await currentRatings(single)];
    expect(b).toEqual(s);
    expect(await events(batched)).toEqual(await events(single));
    expect((await events(batched)).length - eventsBefore).toBe(summary.gradeChanges);
    // A D repaired that day is C by the D-once rule: the episode came from the D-history both paths read.
    expect(b.some((r) => r.grade === 'C' && r.reasons.some((x) => x.zh.includes('仅一次综合评价结果被确定为D级')))).toBe(true);

    const after = new Map(
      (await sqlRows<{ id: string; currentRatingId: string }>(batched.db.manager, `SELECT id, current_rating_id AS "currentRatingId" FROM enterprise`)).map(
        (r) => [r.id, r.currentRatingId],
      ),
    );
    const counts = new Map(
      (await batched.db.manager.query(`SELECT enterprise_id AS id, count(*)::int AS n FROM credit_rating GROUP BY 1`)).map((r: { id: string; n: number }) => [
        r.id,
        r.n,
      ]),
    );
    const current = new Map((await comparableRatings(batched.db.manager, [...after.values()])).map((r) => [r.enterpriseId, r]));
    let unchanged = 0;
    for (const { id, currentRatingId } of before) {
      const r = current.get(id)!;
      if (after.get(id) === currentRatingId) {
        // Unchanged: no second row, the same rating, now confirmed as of this re-grade (asOf stays when it was first given).
        unchanged++;
        expect(counts.get(id)).toBe(1);
        expect(r.evidenceDigest).toBe(firstDigests.get(id));
        expect(r.confirmedAt.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
        expect(r.asOf.getTime()).toBeLessThan(startedAt.getTime());
      } else {
        // Changed: history keeps the earlier rating and adds the new one.
        expect(counts.get(id)).toBe(2);
        expect(r.asOf.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
        expect(r.evidenceDigest).not.toBe(firstDigests.get(id));
      }
    }
    expect(unchanged).toBe(summary.confirmed);

    // Through the API: the unchanged rating says when it was last confirmed; a changed enterprise's history shows both ratings.
    const pick = async (changed: boolean) => {
      const { id } = before.find((b) => (after.get(b.id) !== b.currentRatingId) === changed)!;
      const [{ code }] = await sqlRows<{ code: string }>(batched.db.manager, `SELECT credit_code AS code FROM enterprise WHERE id = $1`, [id]);
      const r = await execute({
        schema: await hubSchema(),
        document: parse(`query($c: String!) { enterprise(creditCode: $c) { rating { grade asOf confirmedAt } ratingHistory { grade asOf confirmedAt } } }`),
        variableValues: { c: code },
        contextValue: testContext(testDeps(batched.db, { policies: testPolicies() })),
      });
      expect(r.errors).toBeUndefined();
      return (r.data as { enterprise: { rating: Shown; ratingHistory: Shown[] } }).enterprise;
    };
    // In-process execution: the DateTime fields are still Dates.
    type Shown = { grade: string; asOf: Date; confirmedAt: Date };
    const same = await pick(false);
    expect(same.rating.confirmedAt.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
    expect(same.rating.asOf.getTime()).toBeLessThan(startedAt.getTime());
    expect(same.ratingHistory).toHaveLength(1);
    const moved = await pick(true);
    expect(moved.ratingHistory).toHaveLength(2);
    expect(moved.rating.confirmedAt).toEqual(moved.rating.asOf);
    expect(moved.ratingHistory[1].confirmedAt.getTime()).toBeLessThan(startedAt.getTime());
    // The one-by-one path (a record change's re-evaluation, with its actor) still stores each evaluation.
    const [{ n }] = await single.db.manager.query(`SELECT count(*)::int AS n FROM credit_rating`);
    expect(n).toBe(2 * N);
  });

  it('re-grades only the enterprises a job names, in batches too', async () => {
    const some = (await ids(batched)).filter((_, i) => i % 50 === 7);
    const startedAt = new Date();
    expect(await ratingService.reevaluateAll(batched.ctx, some, 3)).toEqual({ enterprises: some.length, stored: 0, confirmed: some.length, gradeChanges: 0 });
    const touched = await sqlRows<{ id: string }>(
      batched.db.manager,
      `SELECT r.enterprise_id AS id FROM credit_rating_confirmation c JOIN credit_rating r ON r.id = c.rating_id WHERE c.confirmed_at >= $1 ORDER BY 1`,
      [startedAt],
    );
    expect(touched.map((r) => r.id)).toEqual([...some].sort());
  });
  it('skips only what cannot have changed: a record dated after the last full evaluation counts once its date comes; a change by any path is seen', async () => {
    const m = batched.db.manager;
    const gradeOf = async (id: string) => (await sqlRows<{ g: string }>(m, `SELECT current_grade AS g FROM enterprise WHERE id = $1`, [id]))[0].g;
    const [{ id }] = await sqlRows<{ id: string }>(
      m,
      `SELECT e.id FROM enterprise e WHERE e.current_grade = 'B' AND NOT EXISTS (SELECT 1 FROM credit_record c WHERE c.enterprise_id = e.id) ORDER BY e.id LIMIT 1`,
    );
    const dated = new Date(Date.now() + 1500);
    // Written as a data load would (no re-grade with it): the inputs triggers, not the hub's own paths, tell the change.
    await m.query(
      `INSERT INTO credit_record (id, enterprise_id, kind, indicator, level, occurred_at, determined_by, determined_at, determining_region_code,
              determining_authority_kind, source_act, conduct_region_code)
       VALUES (gen_random_uuid(), $1, 'DISHONESTY', $2, 'GENERAL', $3, 'seed', now(), '130800', 'CITY_WATER_AUTHORITY', 'ADMINISTRATIVE_PENALTY', '130800')`,
      [id, policy.indicators[0].code, dated],
    );
    // Evaluated (its inputs changed), the record not yet counted (dated after asOf): the same result, confirmed.
    const first = await ratingService.reevaluateAll(batched.ctx, undefined, BATCH);
    expect(first).toEqual({ enterprises: N, stored: 0, confirmed: N, gradeChanges: 0 });
    expect(await gradeOf(id)).toBe('B');
    // Same inputs since, but the record's date has come: evaluated again, now C.
    while (Date.now() <= dated.getTime() + 50) await new Promise((r) => setTimeout(r, 100));
    const second = await ratingService.reevaluateAll(batched.ctx, undefined, BATCH);
    expect(second).toEqual({ enterprises: N, stored: 1, confirmed: N - 1, gradeChanges: 1 });
    expect(await gradeOf(id)).toBe('C');
    // Revoked behind the hub's back (no re-grade, no updated_at): the inputs trigger bumps its version, so it is evaluated, B again.
    await m.query(`UPDATE credit_record SET status = 'REVOKED' WHERE enterprise_id = $1 AND occurred_at = $2`, [id, dated]);
    const third = await ratingService.reevaluateAll(batched.ctx, undefined, BATCH);
    expect(third).toEqual({ enterprises: N, stored: 1, confirmed: N - 1, gradeChanges: 1 });
    expect(await gradeOf(id)).toBe('B');
    // And the batches' confirmation rows: a complete run keeps only its own.
    const [{ runs, ranges }] = await sqlRows<{ runs: number; ranges: number }>(
      m,
      `SELECT count(DISTINCT as_of)::int AS runs, count(*)::int AS ranges FROM regrade_run`,
    );
    expect(ranges).toBe(Math.ceil(N / BATCH));
    expect(runs).toBeLessThanOrEqual(ranges);
  });
});
