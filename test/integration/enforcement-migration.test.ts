import type { QueryRunner } from 'typeorm';
import { EnforcementCases1732820000000 } from '../../src/migrations/1732820000000-enforcement-cases';
import { HubContext } from '../../src/modules/context';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { enterpriseService } from '../../src/modules/enterprise/enterprise.service';
import { ratingService } from '../../src/modules/rating/rating.service';
import { Database } from '../../src/platform/db';
import { testContext, testDeps } from '../support/context';
import { testDatabase } from '../support/hub';
import { inPeriod, policyNow, testPolicies } from '../support/policy-time';

/**
 * Migration 1732820000000 on Postgres: the records typed with `unheededNotices` before cases
 * existed become migrated cases whose direct grade is the one the old data meant (two: direct C;
 * three on areas 1, 2, 5: direct D), and the column goes. Run down, seed old rows, run up.
 */
const policy = policyNow();
const dArea = policy.indicators.find((i) => policy.directGrading.dAreas.includes(i.area))!;

let db: Database;
let drop: () => Promise<void>;
let ctx: HubContext;
const migration = new EnforcementCases1732820000000();
const runner = () => ({ query: (sql: string, params?: unknown[]) => ctx.db.query(sql, params) }) as unknown as QueryRunner;

beforeAll(async () => {
  ({ db, drop } = await testDatabase('enforce_mig'));
  ctx = testContext(testDeps(db, { policies: testPolicies() }));
});
afterAll(async () => {
  await drop?.();
});

it('turns unheededNotices into migrated cases that keep the direct grade, then drops the column', async () => {
  await migration.down(runner());
  const codes: string[] = [];
  for (const n of [1, 2, 3]) {
    const creditCode = withCheckChar(`91130821MG000000${n}`);
    codes.push(creditCode);
    const e = await enterpriseService.register(ctx, { creditCode, name: `承德县迁移测试企业${n}`, regionCode: '130821' });
    await ctx.db.query(
      `INSERT INTO credit_record (enterprise_id, kind, indicator, level, occurred_at, basis, unheeded_notices, determined_by,
         determined_at, conduct_region_code, determining_region_code, determining_authority_kind)
       VALUES ($1, 'DISHONESTY', $2, 'GENERAL', $3, '依据', $4, 'officer:test', $3, '130821', '130821', 'COUNTY_WATER_AUTHORITY')`,
      [e.id, dArea.code, inPeriod(60), n],
    );
  }
  await migration.up(runner());

  const cols = await ctx.db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'credit_record'`);
  expect(cols.map((c: { column_name: string }) => c.column_name)).not.toContain('unheeded_notices');
  const cases = await ctx.db.query(
    `SELECT e.credit_code AS code, c.case_no AS "caseNo",
            (SELECT count(*) FROM rectification_notice n WHERE n.case_id = c.id AND n.complied_at IS NULL)::int AS missed,
            (SELECT count(*) FROM rectification_notice n WHERE n.case_id = c.id AND n.complied_at IS NOT NULL)::int AS complied,
            (SELECT count(*) FROM enforcement_fine f WHERE f.case_id = c.id AND f.paid_at IS NULL)::int AS unpaid,
            (SELECT count(*) FROM credit_record r WHERE r.case_id = c.id)::int AS linked
     FROM enforcement_case c JOIN enterprise e ON e.id = c.enterprise_id ORDER BY e.credit_code`,
  );
  expect(cases).toEqual([
    { code: codes[0], caseNo: expect.stringMatching(/^MIGRATED-/), missed: 1, complied: 0, unpaid: 0, linked: 1 },
    { code: codes[1], caseNo: expect.stringMatching(/^MIGRATED-/), missed: 2, complied: 1, unpaid: 1, linked: 1 },
    { code: codes[2], caseNo: expect.stringMatching(/^MIGRATED-/), missed: 3, complied: 0, unpaid: 1, linked: 1 },
  ]);
  const grades = [];
  for (const code of codes) {
    const r = await ratingService.evaluate(ctx, code);
    grades.push({ grade: r.grade, direct: (r.reasons ?? []).some((x) => /direct [CD] from enforcement/.test(x.en)) });
  }
  // One general record alone is C by Art. 16(1); two unheeded: direct C; three on area 1/2/5: direct D.
  expect(grades).toEqual([
    { grade: 'C', direct: false },
    { grade: 'C', direct: true },
    { grade: 'D', direct: true },
  ]);
});
