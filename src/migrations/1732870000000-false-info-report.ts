import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports of false credit information (举报, Art. 28; workflows.md "Reports and tips"): anyone may
 * report, receives an unguessable receipt number to follow it up, and the handling authority
 * verifies within 7 working days of receipt (`due_date`, the last day China time, provisional while
 * a year it reaches into has no official calendar). The reporter's name and contact are restricted
 * personal data (read only by the supervising authority in scope, every read audited). The
 * client's network address is not stored.
 */
export class FalseInfoReport1732870000000 implements MigrationInterface {
  name = 'FalseInfoReport1732870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE false_info_report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        receipt_no text NOT NULL UNIQUE,
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        record_id uuid REFERENCES credit_record(id),
        content text NOT NULL CHECK (length(content) BETWEEN 1 AND 2000),
        reporter_name text CHECK (length(reporter_name) <= 100),
        reporter_contact text CHECK (length(reporter_contact) <= 200),
        status text NOT NULL CHECK (status IN ('RECEIVED','CONFIRMED','UNFOUNDED')),
        received_at timestamptz NOT NULL,
        due_date date NOT NULL,
        due_provisional boolean NOT NULL,
        verified_at timestamptz,
        verified_by text,
        note text CHECK (length(note) <= 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((verified_at IS NULL) = (verified_by IS NULL)),
        CHECK ((status = 'RECEIVED') = (verified_at IS NULL)),
        CHECK (status = 'RECEIVED' OR note IS NOT NULL),
        CHECK (verified_at IS NULL OR verified_at >= received_at)
      );
      CREATE INDEX false_info_report_enterprise_idx ON false_info_report (enterprise_id);
      CREATE INDEX false_info_report_received_idx ON false_info_report (received_at, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE false_info_report`);
  }
}
