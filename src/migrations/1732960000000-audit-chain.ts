import { MigrationInterface, QueryRunner } from 'typeorm';
import { createHash } from 'node:crypto';

/*
 * The chain's hash as of this migration (src/modules/audit/audit.chain.ts computes the same for new entries; a migration
 * imports no module of the hub, so it stays as written, and test/e2e/audit-chain.test.ts proves the two agree).
 */
const GENESIS = '0'.repeat(64);
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}
interface Row {
  id: string;
  at: string;
  actor: string;
  actor_role: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  detail: string;
}
function entryHash(prevHash: string, seq: string, r: Row): string {
  const fields = {
    seq,
    at: r.at,
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    detail: JSON.parse(r.detail) as unknown,
  };
  return createHash('sm3')
    .update(prevHash + canonicalJson(fields))
    .digest('hex');
}

/**
 * The audit log becomes a hash chain (issue 11 item 4): each entry carries `seq` (gapless, in chain order), `prev_hash`
 * and `hash` = SM3(prev_hash ‖ canonical fields), computed in the hub (PGlite has no pgcrypto, and Postgres has no SM3).
 * `audit_chain_head` (one row) holds the last seq and hash; writers lock it to append.
 *
 * Existing entries are chained here, in id order (the order they were written), so `hub audit verify` covers the whole
 * history, not only what follows the upgrade: this migration runs as the table's owner, in one transaction, and lifts the
 * append-only trigger only for that transaction to fill the new columns.
 */
export class AuditChain1732960000000 implements MigrationInterface {
  name = 'AuditChain1732960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;
      CREATE TABLE audit_chain_head (
        id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;
    `);
    let prev = { seq: 0n, hash: GENESIS };
    let after = '0';
    for (;;) {
      const page = (await q.query(
        `SELECT id::text AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, actor, actor_role, action, target_type, target_id,
                outcome, detail::text AS detail
         FROM audit_log WHERE id > $1 ORDER BY audit_log.id LIMIT 1000`,
        [after],
      )) as Row[];
      if (!page.length) break;
      const ids: string[] = [];
      const seqs: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const r of page) {
        const seq = (prev.seq + 1n).toString();
        const hash = entryHash(prev.hash, seq, r);
        ids.push(r.id);
        seqs.push(seq);
        prevs.push(prev.hash);
        hashes.push(hash);
        prev = { seq: prev.seq + 1n, hash };
      }
      await q.query(
        `UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev_hash, hash) WHERE a.id = v.id`,
        [ids, seqs, prevs, hashes],
      );
      after = page[page.length - 1].id;
    }
    await q.query(`INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, $1::bigint, $2)`, [prev.seq.toString(), prev.hash]);
    await q.query(`
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete;
      ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
      CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE IF EXISTS audit_chain_head;
      DROP INDEX IF EXISTS audit_log_seq_idx;
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;
      ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete;
    `);
  }
}
