import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9 items 2, 3, 7: a credit record carries its provenance (determination date, the
 * determining authority, the source act and its document number, the conduct region, a public
 * summary) and an honor its Art. 10 facts (category, awarding body and whether it is a
 * government department, document numbers); Art. 9 letters (函告) to the registration region.
 *
 * Existing rows: determined when they were stored (created_at), by the water authority of the
 * enterprise's region (a 6-digit code ending in 00 is a city's, else a county's), conduct in
 * that region, source act OTHER, no public summary stored (the hub generates one when read).
 * Existing honors: category unknown (NULL) and awarded_by_government unknown (NULL, which never
 * counts for A) unless the old government_award flag said false; officers complete them.
 */
export class RecordProvenance1732810000000 implements MigrationInterface {
  name = 'RecordProvenance1732810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE credit_record
        ADD COLUMN determined_at timestamptz,
        ADD COLUMN determining_region_code text,
        ADD COLUMN determining_authority_kind text
          CHECK (determining_authority_kind IN ('PROVINCIAL_WATER_AUTHORITY','CITY_WATER_AUTHORITY','COUNTY_WATER_AUTHORITY')),
        ADD COLUMN source_act text NOT NULL DEFAULT 'OTHER'
          CHECK (source_act IN ('ADMINISTRATIVE_PENALTY','ADMINISTRATIVE_COERCION','ADMINISTRATIVE_INSPECTION','OTHER')),
        ADD COLUMN source_document_no text,
        ADD COLUMN conduct_region_code text,
        ADD COLUMN public_summary text,
        ADD COLUMN honor_category text CHECK (honor_category IN ('WATER_SAVING_CARRIER','WATER_EFFICIENCY_LEADER','OTHER_RECOGNISED')),
        ADD COLUMN awarding_body text,
        ADD COLUMN awarding_body_kind text
          CHECK (awarding_body_kind IN ('GOVERNMENT_DEPARTMENT','PARTY_OR_PEOPLES_ORGANISATION','INDUSTRY_ASSOCIATION','ENTERPRISE','OTHER')),
        ADD COLUMN awarded_by_government boolean,
        ADD COLUMN award_document_no text,
        ADD COLUMN recognition_document_no text
    `);
    await q.query(`
      UPDATE credit_record c SET
        determined_at = c.created_at,
        conduct_region_code = e.region_code,
        determining_region_code = e.region_code,
        determining_authority_kind = CASE
          WHEN e.region_code LIKE '__0000' THEN 'PROVINCIAL_WATER_AUTHORITY'
          WHEN e.region_code LIKE '____00' THEN 'CITY_WATER_AUTHORITY'
          ELSE 'COUNTY_WATER_AUTHORITY' END,
        awarded_by_government = CASE WHEN c.kind = 'HONOR' AND c.government_award = false THEN false ELSE NULL END
      FROM enterprise e WHERE e.id = c.enterprise_id
    `);
    await q.query(`
      ALTER TABLE credit_record
        ALTER COLUMN determined_at SET NOT NULL,
        ALTER COLUMN conduct_region_code SET NOT NULL,
        ALTER COLUMN determining_region_code SET NOT NULL,
        ALTER COLUMN determining_authority_kind SET NOT NULL,
        ADD CONSTRAINT credit_record_recognition_check CHECK (honor_category IS DISTINCT FROM 'OTHER_RECOGNISED' OR recognition_document_no IS NOT NULL),
        ADD CONSTRAINT credit_record_award_kind_check CHECK (
          awarded_by_government IS NULL AND awarding_body_kind IS NULL
          OR awarded_by_government = (awarding_body_kind = 'GOVERNMENT_DEPARTMENT')
          OR awarding_body_kind IS NULL AND awarded_by_government = false),
        DROP COLUMN government_award
    `);
    await q.query(`
      CREATE TABLE credit_letter (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        record_id uuid NOT NULL REFERENCES credit_record(id),
        from_region_code text NOT NULL,
        from_authority_kind text NOT NULL,
        to_region_code text NOT NULL,
        to_authority_kind text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        read_by text
      );
      CREATE INDEX credit_letter_record_idx ON credit_letter (record_id);
      CREATE INDEX credit_letter_to_idx ON credit_letter (to_region_code, sent_at DESC);
      CREATE INDEX credit_letter_from_idx ON credit_letter (from_region_code, sent_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS credit_letter`);
    await q.query(`ALTER TABLE credit_record ADD COLUMN government_award boolean NOT NULL DEFAULT true`);
    await q.query(`UPDATE credit_record SET government_award = false WHERE awarded_by_government = false`);
    await q.query(`
      ALTER TABLE credit_record
        DROP COLUMN determined_at, DROP COLUMN determining_region_code, DROP COLUMN determining_authority_kind,
        DROP COLUMN source_act, DROP COLUMN source_document_no, DROP COLUMN conduct_region_code, DROP COLUMN public_summary,
        DROP COLUMN honor_category, DROP COLUMN awarding_body, DROP COLUMN awarding_body_kind, DROP COLUMN awarded_by_government,
        DROP COLUMN award_document_no, DROP COLUMN recognition_document_no
    `);
  }
}
