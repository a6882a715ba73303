import type { Principal } from '../../platform/auth/principal';
import type { Queryable } from '../../platform/sql';
import { one } from '../../platform/sql';
import type { ActiveGrant, ResultField } from './result-access';

/**
 * The grant through which `p` may read the enterprise's result at `at`: not revoked by then, within
 * `[validFrom, validUntil)`, naming `p`'s subject (when the grant names one) and agency (when it
 * names one). PUBLIC never (anonymous cannot be a grantee). The widest scope wins when several apply.
 */
export function findActiveGrant(m: Queryable, enterpriseId: string, p: Principal, at = new Date()): Promise<ActiveGrant | undefined> {
  if (p.role === 'PUBLIC') return Promise.resolve(undefined);
  return one<ActiveGrant>(
    m,
    `SELECT g.id, g.scope FROM result_grant g
      WHERE g.enterprise_id = $1 AND g.valid_from <= $2 AND g.valid_until > $2 AND (g.revoked_at IS NULL OR g.revoked_at > $2)
        AND (g.grantee_subject IS NULL OR g.grantee_subject = $3) AND (g.grantee_agency IS NULL OR g.grantee_agency = $4)
      ORDER BY (g.scope = 'WITH_RECORDS') DESC, g.valid_until DESC LIMIT 1`,
    [enterpriseId, at, p.subject, p.agency ?? null],
  );
}

/** Who reads, for a read log written by the statement that reads (see {@link readLogInsert}). */
export interface PageReadLog {
  reader: Principal;
  purpose: string;
  requestId: string;
  /** The fields read of each enterprise. */
  fields: readonly ResultField[];
}

/**
 * The INSERT that `insertReads` (grant.repository.ts) makes for reads of `log.fields` of each enterprise `ids`
 * selects (columns `id` and the `order` column), none through a grant: the same rows, as a data-modifying CTE of
 * the statement that reads them (one round trip). Its parameters are numbered from `$n`.
 */
export function readLogInsert(ids: string, order: string, log: PageReadLog, n: number): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO result_read (enterprise_id, reader_subject, reader_role, reader_agency, grant_id, purpose, fields, request_id)
     SELECT r.id, $${n}, $${n + 1}, $${n + 2}, NULL::uuid, $${n + 3}, $${n + 4}::text[], $${n + 5} FROM (${ids}) r ORDER BY r.${order}`,
    params: [log.reader.subject, log.reader.role, log.reader.agency ?? null, log.purpose, [...log.fields], log.requestId],
  };
}
