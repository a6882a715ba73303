import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revoked tokens (issue 11 item 1): one token by its `jti`, or every token of a subject issued up to `revoked_at`;
 * in force until `until` (past a token's lifetime the row is moot). Every hub process keeps the rows in force in
 * memory and reloads them on NOTIFY hub_token_revocation (src/platform/auth/revocation-list.ts).
 */
export class TokenRevocation1732950000000 implements MigrationInterface {
  name = 'TokenRevocation1732950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE token_revocation (
      id bigserial PRIMARY KEY,
      jti text CHECK (length(jti) BETWEEN 1 AND 200),
      subject text CHECK (length(subject) BETWEEN 1 AND 200),
      reason text NOT NULL CHECK (reason IN ('COMPROMISED', 'LEFT_POST', 'ROLE_CHANGED', 'DEVICE_LOST', 'OTHER')),
      revoked_by text NOT NULL,
      revoked_at timestamptz NOT NULL DEFAULT now(),
      until timestamptz NOT NULL,
      CHECK ((jti IS NULL) <> (subject IS NULL)),
      CHECK (until > revoked_at)
    )`);
    await q.query(`CREATE INDEX token_revocation_until ON token_revocation (until)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE token_revocation`);
  }
}
