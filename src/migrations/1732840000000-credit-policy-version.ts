import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit policies an administrator published through the API (`publishCreditPolicy`), beside
 * the documents shipped in schema/policies/. A row is never updated or deleted: a correction is
 * a new version with a term of its own. `document` is the validated document (defaults filled
 * in), so what it says does not change when a later release changes a default. No rows exist
 * before this migration: nothing to carry over.
 */
export class CreditPolicyVersion1732840000000 implements MigrationInterface {
  name = 'CreditPolicyVersion1732840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_policy_version (
        version text PRIMARY KEY,
        document jsonb NOT NULL,
        effective_from date NOT NULL,
        effective_to date NOT NULL CHECK (effective_to >= effective_from),
        published_by text NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE FUNCTION credit_policy_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'credit_policy_version is append-only (publish a new version instead): % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER credit_policy_version_no_update_delete BEFORE UPDATE OR DELETE ON credit_policy_version
        FOR EACH ROW EXECUTE FUNCTION credit_policy_version_append_only();
      CREATE TRIGGER credit_policy_version_no_truncate BEFORE TRUNCATE ON credit_policy_version
        FOR EACH STATEMENT EXECUTE FUNCTION credit_policy_version_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS credit_policy_version`);
    await q.query(`DROP FUNCTION IF EXISTS credit_policy_version_append_only()`);
  }
}
