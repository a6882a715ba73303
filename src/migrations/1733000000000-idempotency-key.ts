import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mutations sent with an `Idempotency-Key` header (issue 11 item 7): one row per caller and key, holding the state of the
 * attempt and, once answered, the answer (encrypted at rest: it may carry personal data), so a retry gets the same answer
 * and writes nothing twice. `attempt` names the attempt that owns the key (a stale one can be taken over).
 */
export class IdempotencyKey1733000000000 implements MigrationInterface {
  name = 'IdempotencyKey1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        attempt uuid NOT NULL DEFAULT gen_random_uuid(),
        state text NOT NULL DEFAULT 'IN_PROGRESS' CHECK (state IN ('IN_PROGRESS', 'COMMITTED', 'DONE')),
        http_status int,
        response text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (scope, key)
      );
      CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_key`);
  }
}
