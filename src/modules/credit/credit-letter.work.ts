import { hasRole, SUPERVISORS } from '../../platform/auth/access.rules';
import { rows } from '../../platform/sql';
import type { HubContext } from '../context';
import { inJurisdiction } from '../worklist/work-scope';
import { registerWorkSource } from '../worklist/work-source';
import type { WorkItem, WorkSource } from '../worklist/work-source';

/**
 * Art. 9 letters (函告) not yet acknowledged by the registration region's authority: step
 * ACKNOWLEDGE, opened when sent, for the supervising authority whose jurisdiction covers the
 * letter's recipient region. The rules set no time for acknowledging, so no deadline runs
 * (dueDate null) and a letter is never overdue.
 */
export const letterWork: WorkSource = {
  open(ctx: HubContext, limit: number): Promise<WorkItem[]> {
    const p = ctx.principal;
    if (!hasRole(p, SUPERVISORS)) return Promise.resolve([]);
    const params: unknown[] = [limit];
    const scope = inJurisdiction(p, ['l.to_region_code'], params);
    return rows<WorkItem>(
      ctx.db,
      `SELECT 'LETTER' AS kind, l.id, 'ACKNOWLEDGE' AS step, r.enterprise_id AS "enterpriseId", l.sent_at AS "openedAt",
         NULL::text AS "dueDate", false AS provisional,
         '函告待确认已阅（行为地 ' || l.from_region_code || '） / letter from region ' || l.from_region_code || ' awaiting acknowledgement' AS summary
       FROM credit_letter l JOIN credit_record r ON r.id = l.record_id
       WHERE l.read_at IS NULL AND ${scope}
       ORDER BY l.sent_at, l.id LIMIT $1`,
      params,
    );
  },
  countOverdue: () => Promise.resolve(0),
  countDueOn: () => Promise.resolve(0),
};

registerWorkSource('LETTER', letterWork);
