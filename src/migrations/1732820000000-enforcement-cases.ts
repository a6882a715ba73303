import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enforcement cases (行政执法案件, workflows.md "Enforcement cases"): a case on an indicator of an
 * enterprise holds rectification notices (责令整改通知书) and fines (罚款); the record's level and
 * the direct C/D follow from them. Water permits learn how they ended (吊销/注销/撤回) and whether a
 * revocation was annulled on review.
 *
 * `credit_record.unheeded_notices` is replaced by the case: each record with N > 0 unheeded
 * notices gets a migrated case (case_no `MIGRATED-<first 13 characters of the record id>`) with N
 * notices missed (issued at the record's occurred_at, deadline that day) and, for N ≥ 2, a fine
 * served that day and unpaid past its due date; for N = 2 a further notice complied with in time
 * follows (the old "two unheeded, rectified after the next": direct C). The record is linked to
 * its case and the column dropped.
 */
export class EnforcementCases1732820000000 implements MigrationInterface {
  name = 'EnforcementCases1732820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enforcement_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        indicator text NOT NULL,
        case_no text NOT NULL UNIQUE CHECK (length(case_no) BETWEEN 1 AND 64),
        conduct_region_code text NOT NULL CHECK (conduct_region_code ~ '^[1-8][0-9]{5}$'),
        opened_at timestamptz NOT NULL,
        opened_by text NOT NULL,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (closed_at IS NULL OR closed_at >= opened_at)
      );
      CREATE INDEX enforcement_case_enterprise_idx ON enforcement_case (enterprise_id, opened_at);

      CREATE TABLE rectification_notice (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES enforcement_case(id),
        notice_no text NOT NULL CHECK (length(notice_no) BETWEEN 1 AND 64),
        issued_at timestamptz NOT NULL,
        deadline_date date NOT NULL,
        complied_at timestamptz,
        not_complied_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, notice_no)
      );

      CREATE TABLE enforcement_fine (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES enforcement_case(id),
        decision_no text NOT NULL CHECK (length(decision_no) BETWEEN 1 AND 64),
        amount numeric(16, 2) CHECK (amount >= 0),
        served_at timestamptz NOT NULL,
        due_date date NOT NULL,
        due_provisional boolean NOT NULL,
        paid_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, decision_no)
      );
      CREATE INDEX enforcement_fine_served_idx ON enforcement_fine (served_at);

      ALTER TABLE water_permit
        ADD COLUMN revocation_kind text CHECK (revocation_kind IN ('REVOCATION','CANCELLATION','WITHDRAWAL')),
        ADD COLUMN annulled_at timestamptz,
        ADD COLUMN annulment_reason text;
      UPDATE water_permit SET revocation_kind = 'REVOCATION' WHERE revoked_at IS NOT NULL;
      ALTER TABLE water_permit
        ADD CONSTRAINT water_permit_revocation_kind_ck CHECK ((revoked_at IS NULL) = (revocation_kind IS NULL)),
        ADD CONSTRAINT water_permit_annulment_ck CHECK ((annulled_at IS NULL) = (annulment_reason IS NULL) AND (annulled_at IS NULL OR revoked_at IS NOT NULL));

      ALTER TABLE credit_record ADD COLUMN case_id uuid;
      UPDATE credit_record SET case_id = gen_random_uuid() WHERE kind = 'DISHONESTY' AND unheeded_notices > 0;
      INSERT INTO enforcement_case (id, enterprise_id, indicator, case_no, conduct_region_code, opened_at, opened_by)
        SELECT r.case_id, r.enterprise_id, r.indicator, 'MIGRATED-' || left(r.id::text, 13), e.region_code, r.occurred_at, 'system:migration'
        FROM credit_record r JOIN enterprise e ON e.id = r.enterprise_id
        WHERE r.case_id IS NOT NULL;
      -- The deadline is the China day of occurred_at (UTC+8, no daylight saving).
      INSERT INTO rectification_notice (case_id, notice_no, issued_at, deadline_date, complied_at, created_by)
        SELECT r.case_id, 'MIGRATED-' || left(r.id::text, 13) || '-' || lpad(k::text, 2, '0'), r.occurred_at,
               ((r.occurred_at AT TIME ZONE 'UTC') + interval '8 hours')::date,
               CASE WHEN k > r.unheeded_notices THEN r.occurred_at END, 'system:migration'
        FROM credit_record r, generate_series(1, r.unheeded_notices + CASE WHEN r.unheeded_notices = 2 THEN 1 ELSE 0 END) AS k
        WHERE r.case_id IS NOT NULL;
      INSERT INTO enforcement_fine (case_id, decision_no, served_at, due_date, due_provisional, created_by)
        SELECT r.case_id, 'MIGRATED-' || left(r.id::text, 13), r.occurred_at, ((r.occurred_at AT TIME ZONE 'UTC') + interval '8 hours')::date, false, 'system:migration'
        FROM credit_record r
        WHERE r.case_id IS NOT NULL AND r.unheeded_notices >= 2;
      ALTER TABLE credit_record ADD CONSTRAINT credit_record_case_fk FOREIGN KEY (case_id) REFERENCES enforcement_case(id);
      CREATE INDEX credit_record_case_idx ON credit_record (case_id) WHERE case_id IS NOT NULL;
      ALTER TABLE credit_record DROP COLUMN unheeded_notices;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE credit_record ADD COLUMN unheeded_notices int NOT NULL DEFAULT 0 CHECK (unheeded_notices >= 0);
      UPDATE credit_record r SET unheeded_notices = (
        SELECT count(*) FROM rectification_notice n WHERE n.case_id = r.case_id AND n.complied_at IS NULL
      ) WHERE r.case_id IS NOT NULL;
      ALTER TABLE credit_record DROP COLUMN case_id;
      ALTER TABLE water_permit DROP CONSTRAINT water_permit_annulment_ck, DROP CONSTRAINT water_permit_revocation_kind_ck,
        DROP COLUMN annulment_reason, DROP COLUMN annulled_at, DROP COLUMN revocation_kind;
      DROP TABLE enforcement_fine;
      DROP TABLE rectification_notice;
      DROP TABLE enforcement_case;
    `);
  }
}
