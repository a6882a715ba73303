import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit repair, the rest (issue 10 item 3; workflows.md "Credit repair"): the competent
 * authority checks the file and returns it for supplement (RETURNED → SUBMITTED again) or
 * forwards it to the next level up (FORWARDED), which confirms. The open key covers every
 * undecided status. Applications confirmed before this migration have no forward step (the
 * constraint allows it; the hub requires it from now on). `credit_record.permit_id`: the 吊销 (penalty revocation) a dishonesty record
 * carries, so that repairing the record lifts the permit's direct D. `credit_repair_notice` keeps the Art. 22 notices (告知书) stored when an
 * enterprise's official grade becomes C or D.
 */
export class RepairReturnForward1732890000000 implements MigrationInterface {
  name = 'RepairReturnForward1732890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE credit_repair DROP CONSTRAINT IF EXISTS credit_repair_status_check;
      ALTER TABLE credit_repair DROP CONSTRAINT IF EXISTS credit_repair_check4;
      ALTER TABLE credit_repair ADD COLUMN returned_at timestamptz, ADD COLUMN returned_by text, ADD COLUMN return_note text,
        ADD COLUMN supplemented_at timestamptz, ADD COLUMN forwarded_at timestamptz, ADD COLUMN forwarded_by text;
      ALTER TABLE credit_repair ADD CONSTRAINT credit_repair_status_ck
        CHECK (status IN ('SUBMITTED','RETURNED','FORWARDED','CONFIRMED','APPROVED','REJECTED'));
      ALTER TABLE credit_repair ADD CONSTRAINT credit_repair_unconfirmed_ck
        CHECK ((status IN ('SUBMITTED','RETURNED','FORWARDED')) = (confirmed_at IS NULL));
      ALTER TABLE credit_repair ADD CONSTRAINT credit_repair_returned_ck
        CHECK (status <> 'RETURNED' OR (returned_at IS NOT NULL AND returned_by IS NOT NULL AND return_note IS NOT NULL));
      ALTER TABLE credit_repair ADD CONSTRAINT credit_repair_forwarded_ck
        CHECK ((forwarded_at IS NULL) = (forwarded_by IS NULL) AND (status <> 'FORWARDED' OR forwarded_at IS NOT NULL)
          AND (forwarded_at IS NULL OR confirmed_at IS NULL OR confirmed_at >= forwarded_at));
      DROP INDEX credit_repair_open_key;
      CREATE UNIQUE INDEX credit_repair_open_key ON credit_repair (record_id) WHERE status IN ('SUBMITTED','RETURNED','FORWARDED','CONFIRMED');
      ALTER TABLE credit_record ADD COLUMN permit_id uuid REFERENCES water_permit(id);
      CREATE TABLE credit_repair_notice (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        rating_id uuid,
        grade text NOT NULL CHECK (grade IN ('C','D')),
        issued_at timestamptz NOT NULL DEFAULT now(),
        content jsonb NOT NULL
      );
      CREATE INDEX credit_repair_notice_enterprise_idx ON credit_repair_notice (enterprise_id, issued_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE credit_repair_notice;
      ALTER TABLE credit_record DROP COLUMN permit_id;
      DROP INDEX credit_repair_open_key;
      CREATE UNIQUE INDEX credit_repair_open_key ON credit_repair (record_id) WHERE status IN ('SUBMITTED','CONFIRMED');
      ALTER TABLE credit_repair DROP CONSTRAINT credit_repair_forwarded_ck, DROP CONSTRAINT credit_repair_returned_ck,
        DROP CONSTRAINT credit_repair_unconfirmed_ck, DROP CONSTRAINT credit_repair_status_ck;
      ALTER TABLE credit_repair DROP COLUMN returned_at, DROP COLUMN returned_by, DROP COLUMN return_note,
        DROP COLUMN supplemented_at, DROP COLUMN forwarded_at, DROP COLUMN forwarded_by;
      ALTER TABLE credit_repair ADD CONSTRAINT credit_repair_status_check CHECK (status IN ('SUBMITTED','CONFIRMED','APPROVED','REJECTED'));
      ALTER TABLE credit_repair ADD CONSTRAINT credit_repair_check4 CHECK ((status = 'SUBMITTED') = (confirmed_at IS NULL));
    `);
  }
}
