import { MigrationInterface, QueryRunner } from 'typeorm';

/** At most one OPEN candidate per (enterprise, meter or none, kind): a repeat detection refreshes it. */
export class CandidateOpenKey1732370000000 implements MigrationInterface {
  name = 'CandidateOpenKey1732370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNIQUE INDEX candidate_violation_open_key ON candidate_violation
        (enterprise_id, coalesce(meter_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) WHERE status = 'OPEN';
      CREATE INDEX candidate_violation_list_idx ON candidate_violation (detected_at DESC, id DESC);
      ALTER TABLE candidate_violation ADD COLUMN resolved_by text, ADD COLUMN resolved_at timestamptz;
      -- Millisecond precision, so a (detectedAt, id) cursor carried as an ISO string is exact.
      ALTER TABLE candidate_violation ALTER COLUMN detected_at SET DEFAULT date_trunc('milliseconds', now());
      CREATE INDEX meter_reading_read_at_idx ON meter_reading (read_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS candidate_violation_open_key, candidate_violation_list_idx, meter_reading_read_at_idx;
      ALTER TABLE candidate_violation DROP COLUMN IF EXISTS resolved_by, DROP COLUMN IF EXISTS resolved_at;
      ALTER TABLE candidate_violation ALTER COLUMN detected_at SET DEFAULT now();
    `);
  }
}
