import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may see an evaluation result (Art. 23; workflows.md "Who may see an evaluation result"):
 * - `result_grant`: the enterprise's written authorisation (书面授权) naming a grantee (a token
 *   subject and/or an agency name), the scope (result only, or with records), the purpose and a
 *   validity window `[valid_from, valid_until)`; revocable (`revoked_at`).
 * - `result_read`: every read of a result by anyone but the enterprise, with the grant it relied
 *   on or the purpose stated (government departments applying Art. 18–21 measures), the fields
 *   read; one row per enterprise and request, inserted once per request.
 */
export class ResultAccess1732910000000 implements MigrationInterface {
  name = 'ResultAccess1732910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE result_grant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        grantee_subject text CHECK (length(grantee_subject) BETWEEN 1 AND 200),
        grantee_agency text CHECK (length(grantee_agency) BETWEEN 1 AND 200),
        scope text NOT NULL CHECK (scope IN ('RESULT_ONLY','WITH_RECORDS')),
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        granted_by text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by text,
        CHECK (grantee_subject IS NOT NULL OR grantee_agency IS NOT NULL),
        CHECK (valid_until > valid_from),
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      );
      CREATE INDEX result_grant_enterprise_idx ON result_grant (enterprise_id, granted_at);
      CREATE TABLE result_read (
        id bigserial PRIMARY KEY,
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        reader_subject text NOT NULL,
        reader_role text NOT NULL,
        reader_agency text,
        grant_id uuid REFERENCES result_grant(id),
        purpose text NOT NULL,
        fields text[] NOT NULL,
        request_id text,
        read_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX result_read_enterprise_idx ON result_read (enterprise_id, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE result_read; DROP TABLE result_grant`);
  }
}
