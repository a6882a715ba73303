import { seal, unseal } from '../../platform/crypto/keyring';
import { Queryable, one, rows } from '../../platform/sql';
import { CTX } from '../keys/encrypted-columns';
import { IDEMPOTENCY_RETENTION_HOURS } from './idempotency.rules';

export interface IdempotencyRecord {
  id: string;
  requestHash: string;
  state: 'IN_PROGRESS' | 'COMMITTED' | 'DONE';
  httpStatus: number | null;
  /** The answer's JSON (decrypted), once DONE. */
  response: string | null;
  /** Seconds since the attempt last moved (took the key, committed). */
  ageS: number;
}

/**
 * Takes the key for a new attempt: a new row, or an IN_PROGRESS row of the same request whose attempt went silent for
 * `staleS` (its process died before committing: it wrote nothing). Returns the attempt's id, or null when the key is held.
 * A row locked by an attempt that is committing makes this wait, then see it COMMITTED.
 */
export async function claimKey(m: Queryable, scope: string, key: string, hash: string, staleS: number): Promise<{ id: string; attempt: string } | null> {
  const r = await one<{ id: string; attempt: string }>(
    m,
    `INSERT INTO idempotency_key AS k (scope, key, request_hash) VALUES ($1, $2, $3)
     ON CONFLICT (scope, key) DO UPDATE SET attempt = gen_random_uuid(), created_at = now(), updated_at = now()
       WHERE k.state = 'IN_PROGRESS' AND k.request_hash = EXCLUDED.request_hash AND k.updated_at < now() - make_interval(secs => $4)
     RETURNING k.id, k.attempt`,
    [scope, key, hash, staleS],
  );
  return r ?? null;
}

export async function findKey(m: Queryable, scope: string, key: string): Promise<IdempotencyRecord | undefined> {
  const r = await one<Omit<IdempotencyRecord, 'response'> & { response: string | null }>(
    m,
    `SELECT id, request_hash AS "requestHash", state, http_status AS "httpStatus", response,
            extract(epoch FROM now() - updated_at)::float8 AS "ageS"
       FROM idempotency_key WHERE scope = $1 AND key = $2`,
    [scope, key],
  );
  return r && { ...r, response: unseal(CTX.idempotencyResponse, r.response) };
}

/** Inside the mutation's transaction, last: the attempt committed (so a retry never writes twice). False: it no longer owns the key. */
export async function markCommitted(m: Queryable, id: string, attempt: string): Promise<boolean> {
  const r = await rows(
    m,
    `UPDATE idempotency_key SET state = 'COMMITTED', updated_at = now() WHERE id = $1 AND attempt = $2 AND state = 'IN_PROGRESS' RETURNING id`,
    [id, attempt],
  );
  return r.length === 1;
}

/** Keeps the answer (encrypted) for retries. */
export async function storeAnswer(m: Queryable, id: string, attempt: string, httpStatus: number, response: string): Promise<void> {
  await m.query(`UPDATE idempotency_key SET state = 'DONE', http_status = $3, response = $4, updated_at = now() WHERE id = $1 AND attempt = $2`, [
    id,
    attempt,
    httpStatus,
    seal(CTX.idempotencyResponse, response),
  ]);
}

/** Frees a key whose attempt committed nothing and failed for a reason a retry may not meet again. */
export async function releaseKey(m: Queryable, id: string, attempt: string): Promise<void> {
  await m.query(`DELETE FROM idempotency_key WHERE id = $1 AND attempt = $2 AND state = 'IN_PROGRESS'`, [id, attempt]);
}

/** Removes keys past their retention, in batches; returns how many went. */
export async function pruneKeys(m: Queryable, batch = 5000): Promise<number> {
  const r = await rows(
    m,
    `DELETE FROM idempotency_key WHERE id IN (SELECT id FROM idempotency_key WHERE created_at < now() - make_interval(hours => $1) LIMIT $2) RETURNING id`,
    [IDEMPOTENCY_RETENTION_HOURS, batch],
  );
  return r.length;
}
