import { MigrationInterface, QueryRunner } from 'typeorm';

/** A report received on paper or by telephone is entered later by the handling authority: who entered it (tips have the same). */
export class ReportEnteredBy1732930000000 implements MigrationInterface {
  name = 'ReportEnteredBy1732930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE false_info_report ADD COLUMN entered_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE false_info_report DROP COLUMN entered_by`);
  }
}
