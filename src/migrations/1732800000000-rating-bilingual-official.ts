import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ratings speak Chinese first and only official ones are stored as results (issue 9 items 6, 9):
 * - `reasons` text[] → jsonb `[{clause, zh, en}]`, `measures` text[] → jsonb `[{zh, en}]`; an existing
 *   row's text becomes both its zh and en (it was English), with no clause.
 * - `official` (an evaluation result in the sense of Art. 16(2)): existing rows whose asOf falls on an
 *   earlier China day than the day they were made were backdated what-ifs, and are marked false.
 */
export class RatingBilingualOfficial1732800000000 implements MigrationInterface {
  name = 'RatingBilingualOfficial1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating ADD COLUMN reasons_j jsonb, ADD COLUMN measures_j jsonb`);
    await q.query(`
      UPDATE credit_rating SET
        reasons_j = (SELECT coalesce(jsonb_agg(jsonb_build_object('clause', NULL, 'zh', x, 'en', x) ORDER BY i), '[]'::jsonb)
                       FROM unnest(reasons) WITH ORDINALITY AS u(x, i)),
        measures_j = (SELECT coalesce(jsonb_agg(jsonb_build_object('zh', x, 'en', x) ORDER BY i), '[]'::jsonb)
                        FROM unnest(measures) WITH ORDINALITY AS u(x, i))`);
    await q.query(`ALTER TABLE credit_rating DROP COLUMN reasons, DROP COLUMN measures`);
    await q.query(`ALTER TABLE credit_rating RENAME COLUMN reasons_j TO reasons`);
    await q.query(`ALTER TABLE credit_rating RENAME COLUMN measures_j TO measures`);
    await q.query(`ALTER TABLE credit_rating ALTER COLUMN reasons SET NOT NULL, ALTER COLUMN measures SET NOT NULL`);
    await q.query(`ALTER TABLE credit_rating ADD COLUMN official boolean NOT NULL DEFAULT true`);
    // China Standard Time is UTC+8 all year: the China day of an instant without a time-zone database.
    await q.query(`
      UPDATE credit_rating SET official = false
       WHERE ((as_of AT TIME ZONE 'UTC') + interval '8 hours')::date < ((evaluated_at AT TIME ZONE 'UTC') + interval '8 hours')::date`);
    // A what-if is never the current rating: point such enterprises at their latest official one (or none).
    await q.query(`
      UPDATE enterprise e SET current_rating_id = o.id, current_grade = o.grade
        FROM credit_rating cur
        LEFT JOIN LATERAL (SELECT r.id, r.grade FROM credit_rating r WHERE r.enterprise_id = cur.enterprise_id AND r.official
                            ORDER BY r.as_of DESC, r.evaluated_at DESC LIMIT 1) o ON true
       WHERE cur.id = e.current_rating_id AND NOT cur.official`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating DROP COLUMN official`);
    await q.query(`ALTER TABLE credit_rating ADD COLUMN reasons_t text[], ADD COLUMN measures_t text[]`);
    await q.query(`
      UPDATE credit_rating SET
        reasons_t = ARRAY(SELECT x->>'en' FROM jsonb_array_elements(reasons) WITH ORDINALITY AS u(x, i) ORDER BY i),
        measures_t = ARRAY(SELECT x->>'en' FROM jsonb_array_elements(measures) WITH ORDINALITY AS u(x, i) ORDER BY i)`);
    await q.query(`ALTER TABLE credit_rating DROP COLUMN reasons, DROP COLUMN measures`);
    await q.query(`ALTER TABLE credit_rating RENAME COLUMN reasons_t TO reasons`);
    await q.query(`ALTER TABLE credit_rating RENAME COLUMN measures_t TO measures`);
    await q.query(`ALTER TABLE credit_rating ALTER COLUMN reasons SET NOT NULL, ALTER COLUMN measures SET NOT NULL`);
  }
}
