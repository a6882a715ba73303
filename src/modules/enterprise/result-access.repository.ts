import type { Principal } from '../../platform/auth/principal';
import type { Queryable } from '../../platform/sql';
import { one } from '../../platform/sql';
import type { ActiveGrant } from './result-access';

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
