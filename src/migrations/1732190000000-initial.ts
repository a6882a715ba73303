import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hub's core tables. Written as SQL so constraints, partial indexes and the audit
 * trigger are stated exactly; TypeORM entities map onto these tables.
 */
export class Initial1732190000000 implements MigrationInterface {
  name = 'Initial1732190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enterprise (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        credit_code text NOT NULL UNIQUE CHECK (length(credit_code) = 18),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        region_code text NOT NULL CHECK (region_code ~ '^[1-8][0-9]{5}$'),
        industry text,
        legal_representative text,
        legal_representative_id_number text,
        contact_phone text,
        check_override boolean NOT NULL DEFAULT false,
        current_rating_id uuid,
        current_grade text CHECK (current_grade IN ('A','B','C','D')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX enterprise_region_idx ON enterprise (region_code text_pattern_ops, credit_code);
      CREATE INDEX enterprise_grade_idx ON enterprise (current_grade, credit_code);

      CREATE TABLE water_permit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        permit_no text NOT NULL UNIQUE,
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        valid_from timestamptz NOT NULL,
        valid_to timestamptz NOT NULL,
        annual_quota double precision NOT NULL CHECK (annual_quota >= 0),
        revoked_at timestamptz,
        revocation_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_to > valid_from),
        CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
      );
      CREATE INDEX water_permit_enterprise_idx ON water_permit (enterprise_id);

      CREATE TABLE water_plan (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        planned_volume double precision NOT NULL CHECK (planned_volume >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (enterprise_id, year)
      );

      CREATE TABLE meter (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meter_code text NOT NULL UNIQUE,
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        online boolean NOT NULL,
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
        reporting_interval_seconds int NOT NULL DEFAULT 900 CHECK (reporting_interval_seconds > 0),
        max_flow_rate double precision CHECK (max_flow_rate > 0),
        calibration_expires_at timestamptz,
        last_reading_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX meter_enterprise_idx ON meter (enterprise_id);

      CREATE TABLE meter_reading (
        meter_id uuid NOT NULL REFERENCES meter(id),
        read_at timestamptz NOT NULL,
        cumulative_volume double precision NOT NULL,
        flow_rate double precision,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (meter_id, read_at)
      );

      CREATE TABLE credit_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        kind text NOT NULL CHECK (kind IN ('DISHONESTY','HONOR')),
        indicator text,
        level text CHECK (level IN ('GENERAL','SERIOUS','SEVERE')),
        honor_level text CHECK (honor_level IN ('COUNTY','MUNICIPAL','PROVINCIAL','NATIONAL')),
        title text,
        description text,
        occurred_at timestamptz NOT NULL,
        basis text,
        unheeded_notices int NOT NULL DEFAULT 0 CHECK (unheeded_notices >= 0),
        government_award boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','REPAIRED','REVOKED')),
        status_reason text,
        determined_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (kind <> 'DISHONESTY' OR (indicator IS NOT NULL AND level IS NOT NULL AND honor_level IS NULL)),
        CHECK (kind <> 'HONOR' OR (honor_level IS NOT NULL AND title IS NOT NULL AND indicator IS NULL AND level IS NULL))
      );
      CREATE INDEX credit_record_enterprise_idx ON credit_record (enterprise_id, occurred_at);

      CREATE TABLE credit_rating (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        grade text NOT NULL CHECK (grade IN ('A','B','C','D')),
        score int NOT NULL,
        indicators jsonb NOT NULL,
        reasons text[] NOT NULL,
        measures text[] NOT NULL,
        policy_version text NOT NULL,
        as_of timestamptz NOT NULL,
        evaluated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        evaluated_by text NOT NULL
      );
      CREATE INDEX credit_rating_enterprise_idx ON credit_rating (enterprise_id, as_of DESC, evaluated_at DESC);
      ALTER TABLE enterprise ADD CONSTRAINT enterprise_current_rating_fk FOREIGN KEY (current_rating_id) REFERENCES credit_rating(id);

      CREATE TABLE candidate_violation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        meter_id uuid REFERENCES meter(id),
        kind text NOT NULL,
        indicator text NOT NULL,
        suggested_level text NOT NULL CHECK (suggested_level IN ('GENERAL','SERIOUS','SEVERE')),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','CONFIRMED','DISMISSED')),
        detected_at timestamptz NOT NULL DEFAULT now(),
        evidence jsonb NOT NULL DEFAULT '{}'::jsonb,
        resolution_note text,
        credit_record_id uuid REFERENCES credit_record(id)
      );
      CREATE INDEX candidate_violation_enterprise_idx ON candidate_violation (enterprise_id, status);

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        target_type text,
        target_id text,
        outcome text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, at);

      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE IF EXISTS audit_log, candidate_violation;
      ALTER TABLE enterprise DROP CONSTRAINT IF EXISTS enterprise_current_rating_fk;
      DROP TABLE IF EXISTS credit_rating, credit_record, meter_reading, meter, water_plan, water_permit, enterprise;
      DROP FUNCTION IF EXISTS audit_log_append_only();
    `);
  }
}
