import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily re-grade (issue 12, target 4) no longer stores a copy of a rating whose result is
 * unchanged. Each stored rating gets a narrow row beside it: what a re-evaluation compares
 * (grade, score, policy version, a digest of the evidence) and the latest asOf a re-evaluation
 * confirmed it for; a re-grade that finds the same result moves only `confirmed_at` (updating
 * the ≈2.4 kB rating row would write it again, and reading it costs a page per rating).
 * Two partial indexes serve what the engine reads in bulk: the D grades of the D-once rule
 * (Art. 16(2)) and the revoked permits (a permit never revoked decides nothing).
 * Ratings stored before have no such row: their first re-grade stores one new rating.
 */
export class RatingConfirmation1733050000000 implements MigrationInterface {
  name = 'RatingConfirmation1733050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_rating_confirmation (
        rating_id uuid PRIMARY KEY REFERENCES credit_rating(id) ON DELETE CASCADE,
        grade text NOT NULL,
        score int NOT NULL,
        policy_version text NOT NULL,
        evidence_digest text NOT NULL,
        confirmed_at timestamptz NOT NULL
      ) WITH (fillfactor = 70)`);
    await q.query(`CREATE INDEX credit_rating_d_idx ON credit_rating (enterprise_id, as_of) WHERE grade = 'D' AND official`);
    await q.query(`CREATE INDEX water_permit_revoked_idx ON water_permit (enterprise_id) WHERE revoked_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX water_permit_revoked_idx`);
    await q.query(`DROP INDEX credit_rating_d_idx`);
    await q.query(`DROP TABLE credit_rating_confirmation`);
  }
}
