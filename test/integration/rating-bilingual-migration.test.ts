import { RatingBilingualOfficial1732800000000 } from '../../src/migrations/1732800000000-rating-bilingual-official';
import { testDatabase } from '../support/hub';

/**
 * Migration 1732800000000 on Postgres: a rating stored before it (reasons/measures text[],
 * no `official`) keeps its texts as both zh and en with no clause; a backdated one (asOf on an
 * earlier China day than evaluated_at) becomes a what-if and stops being the current rating.
 */
it('converts existing ratings to bilingual jsonb and marks backdated ones not official', async () => {
  const { db, drop } = await testDatabase('rating_migration');
  const migration = new RatingBilingualOfficial1732800000000();
  const qr = db.dataSource.createQueryRunner();
  try {
    await migration.down(qr); // the table as it was before
    const q = (sql: string, params: unknown[] = []) => qr.query(sql, params);
    const [{ id: eid }] = await q(
      `INSERT INTO enterprise (credit_code, name, region_code) VALUES ('91130821MA00000019', '迁移测试企业', '130821') RETURNING id`,
    );
    const insert = (asOf: string, evaluatedAt: string, grade: string) =>
      q(
        `INSERT INTO credit_rating (enterprise_id, grade, score, indicators, reasons, measures, policy_version, as_of, evaluated_at, evaluated_by)
         VALUES ($1, $2, 980, '[]', $3::text[], $4::text[], 'chengde-2023', $5, $6, 'test') RETURNING id`,
        [eid, grade, ['C: 1 active dishonesty record(s) in the period — Art. 16(1)', 'second'], ['Reminders (Art. 20)'], asOf, evaluatedAt],
      ).then((r: { id: string }[]) => r[0].id);
    // made at the time: 23:30 China time on 2024-05-01 is 15:30Z
    const timely = await insert('2024-05-01T15:00:00Z', '2024-05-01T15:30:00Z', 'C');
    // backdated by a day, and (wrongly) made current
    const backdated = await insert('2024-04-30T12:00:00Z', '2024-05-02T01:00:00Z', 'D');
    await q(`UPDATE enterprise SET current_rating_id = $1, current_grade = 'D' WHERE id = $2`, [backdated, eid]);

    await migration.up(qr);

    const rows = await q(`SELECT id, reasons, measures, official FROM credit_rating ORDER BY as_of DESC`);
    expect(rows).toEqual([
      {
        id: timely,
        reasons: [
          {
            clause: null,
            zh: 'C: 1 active dishonesty record(s) in the period — Art. 16(1)',
            en: 'C: 1 active dishonesty record(s) in the period — Art. 16(1)',
          },
          { clause: null, zh: 'second', en: 'second' },
        ],
        measures: [{ zh: 'Reminders (Art. 20)', en: 'Reminders (Art. 20)' }],
        official: true,
      },
      expect.objectContaining({ id: backdated, official: false }),
    ]);
    const [e] = await q(`SELECT current_rating_id AS "currentRatingId", current_grade AS "currentGrade" FROM enterprise WHERE id = $1`, [eid]);
    expect(e).toEqual({ currentRatingId: timely, currentGrade: 'C' });
  } finally {
    await qr.release();
    await drop();
  }
});
