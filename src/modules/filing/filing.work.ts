import { hasRole } from '../../platform/auth/access.rules';
import { one, rows } from '../../platform/sql';
import type { Queryable } from '../../platform/sql';
import type { HubContext } from '../context';
import { inJurisdiction } from '../worklist/work-scope';
import { registerWorkSource } from '../worklist/work-source';
import type { WorkItem, WorkSource } from '../worklist/work-source';

async function count(db: Queryable, due: string, day: string): Promise<number> {
  return (await one<{ n: number }>(db, `SELECT count(*)::int AS n FROM credit_filing WHERE acknowledged_at IS NULL AND ${due}`, [day]))?.n ?? 0;
}

/**
 * Filings upward (Art. 7) not yet acknowledged: step ACKNOWLEDGE, due on the stored filing
 * deadline (7 working days after the determination or repair decision), for the level filed
 * with (who acknowledges) and the determining authority (who oversees its own filings).
 */
export const filingWork: WorkSource = {
  open(ctx: HubContext, limit: number): Promise<WorkItem[]> {
    const p = ctx.principal;
    if (!hasRole(p, ['PROVINCE_AUTHORITY', 'CITY_AUTHORITY', 'COUNTY_AUTHORITY', 'CREDIT_AUTHORITY'])) return Promise.resolve([]);
    const params: unknown[] = [limit];
    const scope = inJurisdiction(p, ['f.filed_with_region_code', 'f.from_region_code'], params);
    return rows<WorkItem>(
      ctx.db,
      `SELECT 'FILING' AS kind, f.id, 'ACKNOWLEDGE' AS step, f.enterprise_id AS "enterpriseId", f.determined_at AS "openedAt",
         to_char(f.due_date, 'YYYY-MM-DD') AS "dueDate", f.due_provisional AS provisional,
         CASE f.subject_kind WHEN 'DETERMINATION' THEN '信用认定待上级备案确认 / determination awaiting filing acknowledgement'
           ELSE '信用修复决定待上级备案确认 / repair decision awaiting filing acknowledgement' END AS summary
       FROM credit_filing f
       WHERE f.acknowledged_at IS NULL AND ${scope}
       ORDER BY f.determined_at, f.id LIMIT $1`,
      params,
    );
  },
  countOverdue: (db, today) => count(db, `due_date < $1::date`, today),
  countDueOn: (db, day) => count(db, `due_date = $1::date`, day),
};

registerWorkSource('FILING', filingWork);
