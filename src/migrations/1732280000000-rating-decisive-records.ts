import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each rating remembers the records that decided a C or D, so the D-once rule (Art. 16(2))
 * can tell a D that was repaired from one whose records were revoked as mistaken.
 */
export class RatingDecisiveRecords1732280000000 implements MigrationInterface {
  name = 'RatingDecisiveRecords1732280000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating ADD COLUMN decisive_record_ids uuid[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating DROP COLUMN decisive_record_ids`);
  }
}
