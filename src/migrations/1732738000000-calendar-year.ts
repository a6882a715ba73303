import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The official working-day calendar of a year as an administrator loaded it (the State Council
 * notice: holidays and adjusted working days). It overrides the chinese-days data and the
 * statutory fallback for that year (src/modules/calendar/working-days.rules.ts).
 */
export class CalendarYear1732738000000 implements MigrationInterface {
  name = 'CalendarYear1732738000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_year (
        year int PRIMARY KEY CHECK (year BETWEEN 1901 AND 2099),
        holidays date[] NOT NULL,
        workdays date[] NOT NULL,
        loaded_by text NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS calendar_year`);
  }
}
