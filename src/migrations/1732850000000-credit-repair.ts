import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit repair (信用修复, Art. 22, 24, 25; workflows.md "Credit repair"): an application for a
 * dishonesty record with its statement, evidence references and signed commitment (信用修复型承诺),
 * confirmed by the next level up, decided within 3 working days of the confirmation
 * (`decision_due_date`, the last day China time, provisional while a year it reaches into has no
 * official calendar). One open (SUBMITTED or CONFIRMED) application per record.
 */
export class CreditRepair1732850000000 implements MigrationInterface {
  name = 'CreditRepair1732850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_repair (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        record_id uuid NOT NULL REFERENCES credit_record(id),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        status text NOT NULL CHECK (status IN ('SUBMITTED','CONFIRMED','APPROVED','REJECTED')),
        statement text NOT NULL CHECK (length(statement) BETWEEN 1 AND 2000),
        evidence text[] NOT NULL DEFAULT '{}',
        commitment_signed boolean,
        submitted_at timestamptz NOT NULL,
        submitted_by text NOT NULL,
        confirmed_at timestamptz,
        confirmed_by text,
        decision_due_date date,
        decision_due_provisional boolean,
        decided_at timestamptz,
        decided_by text,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL) AND (confirmed_at IS NULL) = (decision_due_date IS NULL)
          AND (decision_due_date IS NULL) = (decision_due_provisional IS NULL)),
        CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
        CHECK (confirmed_at IS NULL OR confirmed_at >= submitted_at),
        CHECK (decided_at IS NULL OR (confirmed_at IS NOT NULL AND decided_at >= confirmed_at)),
        CHECK ((status = 'SUBMITTED') = (confirmed_at IS NULL)),
        CHECK ((status IN ('APPROVED','REJECTED')) = (decided_at IS NOT NULL)),
        CHECK (status <> 'REJECTED' OR note IS NOT NULL)
      );
      CREATE UNIQUE INDEX credit_repair_open_key ON credit_repair (record_id) WHERE status IN ('SUBMITTED','CONFIRMED');
      CREATE INDEX credit_repair_record_idx ON credit_repair (record_id, submitted_at);
      CREATE INDEX credit_repair_enterprise_idx ON credit_repair (enterprise_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credit_repair`);
  }
}
