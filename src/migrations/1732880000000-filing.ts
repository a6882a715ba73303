import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Filing upward and the city credit platform (备案 and 推送, Art. 7, 27; workflows.md "Filing upward
 * and the credit platform"). Each determination (and each approved repair decision) is filed with
 * the next level up (county → city → province), due 7 working days after it (`due_date`, the last
 * day China time, provisional while a year it reaches into has no official calendar), and
 * acknowledged there (`acknowledged_at`, `late` when after the due date). Each is also queued
 * for the city credit platform (`platform_push`): a signed JSON document without personal data,
 * its attempts, and the platform's receipt.
 */
export class Filing1732880000000 implements MigrationInterface {
  name = 'Filing1732880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_filing (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_kind text NOT NULL CHECK (subject_kind IN ('DETERMINATION','REPAIR_DECISION')),
        record_id uuid NOT NULL REFERENCES credit_record(id),
        repair_id uuid REFERENCES credit_repair(id),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        from_region_code text NOT NULL,
        filed_with_region_code text NOT NULL,
        determined_at timestamptz NOT NULL,
        due_date date NOT NULL,
        due_provisional boolean NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text,
        late boolean,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((subject_kind = 'REPAIR_DECISION') = (repair_id IS NOT NULL)),
        CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
        CHECK ((acknowledged_at IS NULL) = (late IS NULL)),
        CHECK (acknowledged_at IS NULL OR acknowledged_at >= determined_at)
      );
      CREATE UNIQUE INDEX credit_filing_determination_uq ON credit_filing (record_id) WHERE subject_kind = 'DETERMINATION';
      CREATE UNIQUE INDEX credit_filing_repair_uq ON credit_filing (repair_id) WHERE repair_id IS NOT NULL;
      CREATE INDEX credit_filing_open_idx ON credit_filing (due_date, id) WHERE acknowledged_at IS NULL;
      CREATE INDEX credit_filing_determined_idx ON credit_filing (determined_at);

      CREATE TABLE platform_push (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_kind text NOT NULL CHECK (subject_kind IN ('DETERMINATION','REPAIR_DECISION')),
        record_id uuid NOT NULL REFERENCES credit_record(id),
        repair_id uuid REFERENCES credit_repair(id),
        document jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('NOT_CONFIGURED','PENDING','DELIVERED','DEAD')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        receipt text,
        pushed_at timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((state = 'DELIVERED') = (pushed_at IS NOT NULL))
      );
      CREATE INDEX platform_push_record_idx ON platform_push (record_id, created_at);
      CREATE INDEX platform_push_due_idx ON platform_push (next_attempt_at) WHERE state IN ('NOT_CONFIGURED','PENDING');

      CREATE TABLE platform_push_attempt (
        id bigserial PRIMARY KEY,
        push_id uuid NOT NULL REFERENCES platform_push(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        status_code int,
        error text,
        receipt text,
        duration_ms int NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (push_id, attempt)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE platform_push_attempt; DROP TABLE platform_push; DROP TABLE credit_filing`);
  }
}
