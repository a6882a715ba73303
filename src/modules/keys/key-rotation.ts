/**
 * Re-encryption of every encrypted column with the active data key (`hub keys rotate`), and the
 * boot step that encrypts values still in plain text (written before encryption at rest).
 *
 * Without downtime: batches of `batchSize` rows, each its own short transaction, in id order,
 * choosing only rows not yet under the active key (`NOT LIKE 'enc:v1:<active>:%'`), so a run
 * stopped halfway resumes where it was. The hub keeps serving meanwhile: every configured key
 * decrypts and only the active one encrypts, so old-kid and new-kid values read alike. Deploy the
 * new key as active (keeping the old one) first, then rotate, then drop the old key.
 */
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import type { FieldCipher } from '../../platform/crypto/field-cipher';
import { fieldCipher } from '../../platform/crypto/keyring';
import type { Database } from '../../platform/db';
import { one, rows } from '../../platform/sql';
import { appendAudit } from '../audit/audit.repository';
import { ENCRYPTED_COLUMNS, EncryptedColumn, contextOf } from './encrypted-columns';

/** Who rotations are recorded as (the security administrator's duty, run by the hub itself). */
export const KEYS_PRINCIPAL: Principal = { subject: 'system:keys', role: 'SECURITY_ADMIN', regions: [] };

export interface RotationProgress {
  /** `table.column`. */
  column: string;
  done: number;
  total: number;
}

export interface RotationOptions {
  /** Rows per transaction; default 500. */
  batchSize?: number;
  /** Only values still in plain text (the boot step); default: every value not under the active key. */
  plainOnly?: boolean;
  /** Called after each batch. */
  onProgress?: (p: RotationProgress) => void;
  /** Default: the process's cipher. */
  cipher?: FieldCipher;
}

export interface RotationSummary {
  active: string;
  cipher: string;
  /** Every key id configured (all of them decrypt). */
  kids: string[];
  /** Rows re-encrypted per `table.column`. */
  columns: Record<string, number>;
  total: number;
}

/** A LIKE pattern matching `prefix` literally. */
const likePrefix = (prefix: string) => prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';

function pending(c: EncryptedColumn, prefix: string): string {
  return `${c.column} IS NOT NULL AND ${c.column} NOT LIKE '${likePrefix(prefix).replace(/'/g, "''")}'`;
}

async function rotateColumn(
  db: Database,
  c: EncryptedColumn,
  cipher: FieldCipher,
  o: Required<Pick<RotationOptions, 'batchSize' | 'plainOnly'>> & RotationOptions,
) {
  const context = contextOf(c);
  const where = pending(c, o.plainOnly ? 'enc:' : cipher.activePrefix);
  const total = (await one<{ n: number }>(db.manager, `SELECT count(*)::int AS n FROM ${c.table} WHERE ${where}`))?.n ?? 0;
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const n = await db.transaction(async (m: EntityManager) => {
      const batch = await rows<{ id: string; v: string }>(
        m,
        `SELECT id, ${c.column} AS v FROM ${c.table} WHERE ${where} AND id > $1 ORDER BY id LIMIT $2 FOR UPDATE`,
        [after, o.batchSize],
      );
      if (!batch.length) return 0;
      const plain = batch.map((r) => cipher.decrypt(r.v, context));
      await m.query(
        `UPDATE ${c.table} t SET ${c.column} = u.v${c.hash ? `, ${c.hash} = coalesce(t.${c.hash}, u.h)` : ''}
           FROM unnest($1::uuid[], $2::text[], $3::text[]) u(id, v, h) WHERE t.id = u.id`,
        [batch.map((r) => r.id), plain.map((p) => cipher.encrypt(p, context)), plain.map((p) => (c.hash ? cipher.hash(p, context) : null))],
      );
      after = batch[batch.length - 1].id;
      return batch.length;
    });
    if (!n) break;
    done += n;
    o.onProgress?.({ column: context, done, total: Math.max(total, done) });
  }
  return done;
}

/**
 * Re-encrypts every encrypted column's values that are not under the active key (legacy plain
 * text included) and records the run in the audit log (counts and key ids, never a value).
 */
export async function rotateDataKeys(db: Database, opts: RotationOptions = {}): Promise<RotationSummary> {
  const cipher = opts.cipher ?? fieldCipher();
  const o = { batchSize: 500, plainOnly: false, ...opts };
  const columns: Record<string, number> = {};
  for (const c of ENCRYPTED_COLUMNS) columns[contextOf(c)] = await rotateColumn(db, c, cipher, o);
  const summary: RotationSummary = {
    active: cipher.active,
    cipher: cipher.cipher,
    kids: cipher.kids,
    columns,
    total: Object.values(columns).reduce((a, b) => a + b, 0),
  };
  if (!o.plainOnly || summary.total)
    await appendAudit(db.manager, KEYS_PRINCIPAL, {
      action: o.plainOnly ? 'encryptPlainValues' : 'rotateDataKeys',
      targetType: 'data_key',
      targetId: cipher.active,
      outcome: 'OK',
      detail: { ...summary },
    });
  return summary;
}

/** The boot step: encrypts values still in plain text with the active key (nothing to do, no audit entry). */
export function encryptPlainValues(db: Database, opts: Omit<RotationOptions, 'plainOnly'> = {}): Promise<RotationSummary> {
  return rotateDataKeys(db, { ...opts, plainOnly: true });
}

/** How many values of each column are under each key id (`plain`: not encrypted yet), for `hub keys status`. */
export async function dataKeyUsage(db: Database): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of ENCRYPTED_COLUMNS) {
    const found = await rows<{ kid: string; n: number }>(
      db.manager,
      `SELECT CASE WHEN ${c.column} LIKE 'enc:v1:%' THEN split_part(${c.column}, ':', 3) ELSE 'plain' END AS kid, count(*)::int AS n
         FROM ${c.table} WHERE ${c.column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    out[contextOf(c)] = Object.fromEntries(found.map((r) => [r.kid, r.n]));
  }
  return out;
}
