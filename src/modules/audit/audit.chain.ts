import { sm3 } from './audit.sanitize';
import { Queryable, rows } from '../../platform/sql';
import { logger } from '../../platform/logger';

/** The `prev_hash` of the first entry of the chain. */
export const GENESIS = '0'.repeat(64);

/** An entry's time as the chain hashes it: UTC to the microsecond, the same text on every server and on PGlite. */
export const AT_TEXT = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The fields of an entry the chain covers (everything but the generated `id`). */
export interface ChainedFields {
  seq: string;
  at: string;
  actor: string;
  actorRole: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  /** As stored: what jsonb reads back. */
  detail: unknown;
}

/** JSON with object keys sorted at every level: the same text for the same value, whatever order jsonb keeps keys in. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** hash = SM3(prev_hash ‖ canonical serialisation of the entry's fields, seq and time included), hex. */
export function entryHash(prevHash: string, f: ChainedFields): string {
  const { seq, at, actor, actorRole, action, targetType, targetId, outcome, detail } = f;
  return sm3(prevHash + canonicalJson({ seq, at, actor, actorRole, action, targetType, targetId, outcome, detail }));
}

export interface ChainHead {
  seq: string;
  hash: string;
}

/** The head as the chain-head row holds it (seq 0 and the genesis hash before the first entry). */
export async function chainHead(m: Queryable): Promise<ChainHead> {
  const [h] = await rows<ChainHead>(m, `SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id = 1`);
  return h ?? { seq: '0', hash: GENESIS };
}

export type ChainCheck = 'seq' | 'prev_hash' | 'hash' | 'head' | 'anchor';

export interface VerifyResult {
  ok: boolean;
  /** Entries walked. */
  count: number;
  /** The last entry walked. */
  head: ChainHead;
  /** The first entry that breaks the chain, and which check it failed. */
  broken?: { seq: string | null; id: string | null; check: ChainCheck; message: string };
}

interface StoredRow {
  id: string;
  seq: string;
  prev_hash: string;
  hash: string;
  at: string;
  actor: string;
  actor_role: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  detail: string;
}

/** Reads an entry's chained fields as stored. */
export function storedFields(r: StoredRow): ChainedFields {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    detail: JSON.parse(r.detail) as unknown,
  };
}

export const STORED_COLUMNS = `id::text AS id, seq::text AS seq, prev_hash, hash, ${AT_TEXT('at')} AS at, actor, actor_role, action, target_type, target_id, outcome, detail::text AS detail`;

/**
 * Walks the chain in seq order, `batch` entries at a time: each entry's seq follows the previous one (gapless from 1), its
 * prev_hash is the previous hash, its hash is recomputed; at the end the chain-head row must name the last entry, and an
 * anchor (a head logged earlier) must still be in the chain. Stops at the first break.
 */
export async function verifyChain(m: Queryable, opts: { batch?: number; anchor?: ChainHead } = {}): Promise<VerifyResult> {
  const batch = opts.batch ?? 1000;
  let prev: ChainHead = { seq: '0', hash: GENESIS };
  let count = 0;
  let anchorSeen = false;
  let after: { seq: string; id: string } = { seq: '0', id: '0' };
  const fail = (r: { seq: string | null; id: string | null }, check: ChainCheck, message: string): VerifyResult => ({
    ok: false,
    count,
    head: prev,
    broken: { seq: r.seq, id: r.id, check, message },
  });
  let head: ChainHead;
  for (;;) {
    const before = count;
    for (;;) {
      const page = await rows<StoredRow>(
        m,
        `SELECT ${STORED_COLUMNS} FROM audit_log WHERE (seq, id) > ($1::bigint, $2::bigint) ORDER BY audit_log.seq, audit_log.id LIMIT ${batch}`,
        [after.seq, after.id],
      );
      for (const r of page) {
        const expected = (BigInt(prev.seq) + 1n).toString();
        if (r.seq !== expected) return fail(r, 'seq', `seq ${r.seq} where ${expected} was due (an entry is missing or repeated)`);
        if (r.prev_hash !== prev.hash) return fail(r, 'prev_hash', `prev_hash is not the hash of entry ${prev.seq}`);
        if (entryHash(r.prev_hash, storedFields(r)) !== r.hash) return fail(r, 'hash', 'hash does not match the entry (its fields were changed)');
        if (opts.anchor && r.seq === opts.anchor.seq) {
          if (r.hash !== opts.anchor.hash) return fail(r, 'anchor', `hash differs from the anchor ${opts.anchor.seq}:${opts.anchor.hash}`);
          anchorSeen = true;
        }
        prev = { seq: r.seq, hash: r.hash };
        after = { seq: r.seq, id: r.id };
        count++;
      }
      if (page.length < batch) break;
    }
    // An entry commits with its head update: a head past the last entry read means entries written during the walk (walk
    // on), unless the walk found none (the head names entries that are not there).
    head = await chainHead(m);
    if (BigInt(head.seq) <= BigInt(prev.seq) || count === before) break;
  }
  if (head.seq !== prev.seq || head.hash !== prev.hash)
    return fail({ seq: head.seq, id: null }, 'head', `the chain head row names ${head.seq}:${head.hash}, the last entry is ${prev.seq}:${prev.hash}`);
  if (opts.anchor && !anchorSeen) return fail({ seq: opts.anchor.seq, id: null }, 'anchor', `the chain ends at ${prev.seq}, before the anchor`);
  return { ok: true, count, head: prev };
}

/** `<seq>:<hash>` as logged daily. */
export function parseAnchor(s: string): ChainHead | undefined {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(s.trim());
  return m ? { seq: BigInt(m[1]).toString(), hash: m[2] } : undefined;
}

/** Logs the chain head (daily, by the scheduler): the `anchor` text is what `hub audit verify --anchor` takes. */
export async function logChainHead(m: Queryable): Promise<ChainHead> {
  const head = await chainHead(m);
  logger.info({ auditChain: { seq: head.seq, hash: head.hash }, anchor: `${head.seq}:${head.hash}` }, 'audit chain head');
  return head;
}
