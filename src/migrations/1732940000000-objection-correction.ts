import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An upheld objection (facts wrong, Art. 26) may correct the record instead of only revoking it:
 * the wrong record is revoked and the corrected one determined in the same transaction;
 * `corrected_record_id` links the objection to the record that replaced the disputed one.
 */
export class ObjectionCorrection1732940000000 implements MigrationInterface {
  name = 'ObjectionCorrection1732940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE objection ADD COLUMN corrected_record_id uuid REFERENCES credit_record(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE objection DROP COLUMN corrected_record_id`);
  }
}
