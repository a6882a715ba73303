import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily re-grade (issue 12, target 4) no longer stores a copy of a rating whose result is
 * unchanged: each rating keeps a digest of its evidence, and a re-evaluation with the same
 * grade, score, policy version and digest only moves the rating's confirmation, a narrow row
 * of its own (updating the ≈2.4 kB rating row would write it again). A partial index finds the
 * D grades the D-once rule (Art. 16(2)) reads without visiting the other ratings.
 * Ratings stored before have no digest: their first re-grade stores one new row.
 */
export class RatingConfirmation1733050000000 implements MigrationInterface {
  name = 'RatingConfirmation1733050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating ADD COLUMN evidence_digest text`);
    await q.query(`
      CREATE TABLE credit_rating_confirmation (
        rating_id uuid PRIMARY KEY REFERENCES credit_rating(id) ON DELETE CASCADE,
        confirmed_at timestamptz NOT NULL
      ) WITH (fillfactor = 50)`);
    await q.query(`CREATE INDEX credit_rating_d_idx ON credit_rating (enterprise_id, as_of) WHERE grade = 'D' AND official`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX credit_rating_d_idx`);
    await q.query(`DROP TABLE credit_rating_confirmation`);
    await q.query(`ALTER TABLE credit_rating DROP COLUMN evidence_digest`);
  }
}
