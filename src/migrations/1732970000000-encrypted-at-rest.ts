import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data and secrets encrypted at rest (issue 11 item 3). The columns stay text; their
 * values become `enc:v1:<kid>:<alg>:…` as they are written, and existing plain values are
 * encrypted by the boot step and `hub keys rotate` (a value without the prefix is read as is
 * meanwhile). Length checks on those columns move to the services (ciphertext is longer than
 * the text); data-source secrets become text (one encrypted JSON document). The `*_hmac`
 * columns hold keyed hashes (HMAC-SM3) for equality lookups: a repeat submitter's contact, a
 * legal representative's ID number.
 */
export class EncryptedAtRest1732970000000 implements MigrationInterface {
  name = 'EncryptedAtRest1732970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE false_info_report DROP CONSTRAINT IF EXISTS false_info_report_reporter_name_check,
        DROP CONSTRAINT IF EXISTS false_info_report_reporter_contact_check,
        ADD COLUMN reporter_contact_hmac text;
      ALTER TABLE tip DROP CONSTRAINT IF EXISTS tip_tipster_name_check,
        DROP CONSTRAINT IF EXISTS tip_tipster_organisation_check,
        DROP CONSTRAINT IF EXISTS tip_tipster_contact_check,
        ADD COLUMN tipster_contact_hmac text;
      ALTER TABLE enterprise ADD COLUMN legal_representative_id_number_hmac text;
      ALTER TABLE data_source ALTER COLUMN secrets DROP DEFAULT,
        ALTER COLUMN secrets TYPE text USING secrets::text,
        ALTER COLUMN secrets SET DEFAULT '{}';
      CREATE INDEX false_info_report_reporter_contact_hmac_idx ON false_info_report (reporter_contact_hmac) WHERE reporter_contact_hmac IS NOT NULL;
      CREATE INDEX tip_tipster_contact_hmac_idx ON tip (tipster_contact_hmac) WHERE tipster_contact_hmac IS NOT NULL;
      CREATE INDEX enterprise_legal_representative_id_number_hmac_idx ON enterprise (legal_representative_id_number_hmac)
        WHERE legal_representative_id_number_hmac IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // Only meaningful before any value was encrypted: decrypt (hub keys decrypt is not offered) first.
    await q.query(`
      DROP INDEX enterprise_legal_representative_id_number_hmac_idx;
      DROP INDEX tip_tipster_contact_hmac_idx;
      DROP INDEX false_info_report_reporter_contact_hmac_idx;
      ALTER TABLE data_source ALTER COLUMN secrets DROP DEFAULT,
        ALTER COLUMN secrets TYPE jsonb USING secrets::jsonb,
        ALTER COLUMN secrets SET DEFAULT '{}'::jsonb;
      ALTER TABLE enterprise DROP COLUMN legal_representative_id_number_hmac;
      ALTER TABLE tip DROP COLUMN tipster_contact_hmac;
      ALTER TABLE false_info_report DROP COLUMN reporter_contact_hmac;
    `);
  }
}
