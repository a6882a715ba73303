import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Objections (异议, Art. 26; workflows.md "Objections"): an enterprise disputes a credit record
 * (`record_id`) or its rating (`rating_id`), received by the evaluating body or the credit
 * authority (which routes it to the evaluating body: `routed_at`). The comparison (核查比对) is
 * due 5 working days after the FIRST receipt (`due_date`, the last day China time, provisional
 * while a year it reaches into has no official calendar). One open objection per record, and
 * one open objection against the rating per enterprise.
 */
export class Objection1732860000000 implements MigrationInterface {
  name = 'Objection1732860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE objection (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        record_id uuid REFERENCES credit_record(id),
        rating_id uuid REFERENCES credit_rating(id),
        status text NOT NULL CHECK (status IN ('OPEN','DECIDED')),
        statement text NOT NULL CHECK (length(statement) BETWEEN 1 AND 2000),
        received_by text NOT NULL CHECK (received_by IN ('EVALUATING_BODY','CREDIT_AUTHORITY')),
        received_at timestamptz NOT NULL,
        filed_by text NOT NULL,
        routed_at timestamptz,
        routed_by text,
        due_date date NOT NULL,
        due_provisional boolean NOT NULL,
        outcome text CHECK (outcome IN ('FACTS_WRONG','DATA_INCOMPLETE','REJECTED')),
        reason text,
        decided_at timestamptz,
        decided_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (record_id IS NOT NULL OR rating_id IS NOT NULL),
        CHECK ((routed_at IS NULL) = (routed_by IS NULL)),
        CHECK (received_by = 'CREDIT_AUTHORITY' OR routed_at IS NULL),
        CHECK (routed_at IS NULL OR routed_at >= received_at),
        CHECK ((status = 'DECIDED') = (decided_at IS NOT NULL) AND (decided_at IS NULL) = (decided_by IS NULL)
          AND (decided_at IS NULL) = (outcome IS NULL) AND (decided_at IS NULL) = (reason IS NULL)),
        CHECK (decided_at IS NULL OR decided_at >= coalesce(routed_at, received_at)),
        CHECK (outcome <> 'FACTS_WRONG' OR record_id IS NOT NULL)
      );
      CREATE UNIQUE INDEX objection_open_record_key ON objection (record_id) WHERE status = 'OPEN' AND record_id IS NOT NULL;
      CREATE UNIQUE INDEX objection_open_rating_key ON objection (enterprise_id) WHERE status = 'OPEN' AND record_id IS NULL;
      CREATE INDEX objection_enterprise_idx ON objection (enterprise_id, received_at);
      CREATE INDEX objection_record_idx ON objection (record_id) WHERE record_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE objection`);
  }
}
