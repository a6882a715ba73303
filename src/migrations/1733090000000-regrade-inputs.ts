import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily re-grade (issue 12, target 4) evaluates only the enterprises whose result can have
 * changed. A rating's confirmation row keeps a digest of the engine inputs its last full
 * evaluation read (records, revoked permits) and that evaluation's asOf; a re-grade computes
 * the same digest in SQL and skips the engine when it is equal and nothing moves with time
 * (no record or revocation dated after that asOf, no enforcement case, no later official
 * rating, the same policy). Rows without a digest (ratings stored by other evaluations, or
 * before this migration) are evaluated in full by the next re-grade, which fills it in.
 */
export class RegradeInputs1733090000000 implements MigrationInterface {
  name = 'RegradeInputs1733090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating_confirmation ADD COLUMN inputs_digest text, ADD COLUMN inputs_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_rating_confirmation DROP COLUMN inputs_at, DROP COLUMN inputs_digest`);
  }
}
