import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily re-grade confirms a batch's unchanged ratings with one row instead of one update
 * per rating: `regrade_run` holds each batch's id range (`after_id` exclusive, `to_id`
 * inclusive; null: open-ended) and asOf. A current rating's `confirmedAt` is the latest of its
 * confirmation row's `confirmed_at` and the asOf of the batches that covered its enterprise;
 * when a rating stops being current its row takes that value for good. A complete run of all
 * enterprises deletes the rows of the runs before it (it covered every enterprise later).
 * Down: every current rating's row takes its value, then the table goes.
 */
export class RegradeRun1733091000000 implements MigrationInterface {
  name = 'RegradeRun1733091000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE regrade_run (
        id bigserial PRIMARY KEY,
        after_id uuid,
        to_id uuid,
        as_of timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE credit_rating_confirmation c SET confirmed_at = w.at
        FROM enterprise e CROSS JOIN LATERAL (
          SELECT max(g.as_of) AS at FROM regrade_run g WHERE (g.after_id IS NULL OR g.after_id < e.id) AND (g.to_id IS NULL OR g.to_id >= e.id)) w
       WHERE c.rating_id = e.current_rating_id AND w.at > c.confirmed_at`);
    await q.query(`DROP TABLE regrade_run`);
  }
}
