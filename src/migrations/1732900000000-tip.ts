import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tips (线索, Art. 8; workflows.md "Reports and tips"): the six kinds of source named by Art. 8
 * (行业协会商会、大数据企业、金融机构、新闻媒体、社会组织、公民个人) give clues about an enterprise; anyone
 * submits, receives an unguessable receipt number, and the supervising authority verifies
 * (`due_date`: 7 working days after receipt, the default the hub applies as Art. 28 does for
 * reports, since the rules give tips no deadline of their own; provisional while a year it reaches
 * into has no official calendar). The tipster's name, organisation and contact are restricted
 * personal data. A confirmed tip raises a candidate violation (origin TIP, linked both ways),
 * reviewed like a meter finding; detection's one-open-candidate key covers detection only.
 */
export class Tip1732900000000 implements MigrationInterface {
  name = 'Tip1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tip (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        receipt_no text NOT NULL UNIQUE,
        source_kind text NOT NULL CHECK (source_kind IN
          ('INDUSTRY_ASSOCIATION','BIG_DATA_ENTERPRISE','FINANCIAL_INSTITUTION','NEWS_MEDIA','SOCIAL_ORGANISATION','CITIZEN')),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        indicator text CHECK (length(indicator) BETWEEN 1 AND 20),
        content text NOT NULL CHECK (length(content) BETWEEN 1 AND 2000),
        occurred_at timestamptz,
        evidence_refs text[] NOT NULL DEFAULT '{}',
        tipster_name text CHECK (length(tipster_name) <= 100),
        tipster_organisation text CHECK (length(tipster_organisation) <= 200),
        tipster_contact text CHECK (length(tipster_contact) <= 200),
        status text NOT NULL CHECK (status IN ('RECEIVED','CONFIRMED','UNFOUNDED')),
        received_at timestamptz NOT NULL,
        entered_by text,
        due_date date NOT NULL,
        due_provisional boolean NOT NULL,
        verified_at timestamptz,
        verified_by text,
        note text CHECK (length(note) <= 2000),
        candidate_id uuid REFERENCES candidate_violation(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (cardinality(evidence_refs) <= 20),
        CHECK (source_kind <> 'CITIZEN' OR tipster_organisation IS NULL),
        CHECK ((verified_at IS NULL) = (verified_by IS NULL)),
        CHECK ((status = 'RECEIVED') = (verified_at IS NULL)),
        CHECK (status = 'RECEIVED' OR note IS NOT NULL),
        CHECK ((status = 'CONFIRMED') = (candidate_id IS NOT NULL)),
        CHECK (verified_at IS NULL OR verified_at >= received_at)
      );
      CREATE INDEX tip_enterprise_idx ON tip (enterprise_id);
      CREATE INDEX tip_received_idx ON tip (received_at, id);

      ALTER TABLE candidate_violation
        ADD COLUMN origin text NOT NULL DEFAULT 'DETECTION' CHECK (origin IN ('DETECTION','TIP')),
        ADD COLUMN tip_id uuid UNIQUE REFERENCES tip(id);
      ALTER TABLE candidate_violation ADD CONSTRAINT candidate_violation_origin_tip CHECK ((origin = 'TIP') = (tip_id IS NOT NULL));
      DROP INDEX candidate_violation_open_key;
      CREATE UNIQUE INDEX candidate_violation_open_key ON candidate_violation
        (enterprise_id, coalesce(meter_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) WHERE status = 'OPEN' AND origin = 'DETECTION';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX candidate_violation_open_key;
      DELETE FROM candidate_violation WHERE origin = 'TIP';
      CREATE UNIQUE INDEX candidate_violation_open_key ON candidate_violation
        (enterprise_id, coalesce(meter_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) WHERE status = 'OPEN';
      ALTER TABLE candidate_violation DROP CONSTRAINT candidate_violation_origin_tip, DROP COLUMN tip_id, DROP COLUMN origin;
      DROP TABLE tip;
    `);
  }
}
