import { hasRole, SUPERVISORS } from '../../platform/auth/access.rules';
import { one, rows } from '../../platform/sql';
import type { Queryable } from '../../platform/sql';
import type { HubContext } from '../context';
import { inJurisdiction } from '../worklist/work-scope';
import { registerWorkSource } from '../worklist/work-source';
import type { WorkItem, WorkSource } from '../worklist/work-source';

async function count(db: Queryable, due: string, day: string): Promise<number> {
  return (await one<{ n: number }>(db, `SELECT count(*)::int AS n FROM objection WHERE status = 'OPEN' AND ${due}`, [day]))?.n ?? 0;
}

/**
 * Open objections (Art. 26) awaiting comparison: step COMPARE, due on the stored comparison
 * deadline (5 working days from the first receipt), opened at receipt. The supervising water
 * authority in scope of the enterprise sees every one (it decides); the credit authority in
 * scope sees those it received (it routes them and follows them up).
 */
export const objectionWork: WorkSource = {
  open(ctx: HubContext, limit: number): Promise<WorkItem[]> {
    const p = ctx.principal;
    const params: unknown[] = [limit];
    let who: string;
    if (hasRole(p, SUPERVISORS)) who = 'TRUE';
    else if (p.role === 'CREDIT_AUTHORITY') who = `o.received_by = 'CREDIT_AUTHORITY'`;
    else return Promise.resolve([]);
    const scope = inJurisdiction(p, ['e.region_code'], params);
    return rows<WorkItem>(
      ctx.db,
      `SELECT 'OBJECTION' AS kind, o.id, 'COMPARE' AS step, o.enterprise_id AS "enterpriseId", o.received_at AS "openedAt",
         to_char(o.due_date, 'YYYY-MM-DD') AS "dueDate", o.due_provisional AS provisional,
         CASE WHEN o.record_id IS NULL THEN '异议（评价结果）待核查比对 / objection to the rating awaiting comparison'
              ELSE '异议（信用记录）待核查比对 / objection to a credit record awaiting comparison' END AS summary
       FROM objection o JOIN enterprise e ON e.id = o.enterprise_id
       WHERE o.status = 'OPEN' AND ${who} AND ${scope}
       ORDER BY o.received_at, o.id LIMIT $1`,
      params,
    );
  },
  countOverdue: (db, today) => count(db, `due_date < $1::date`, today),
  countDueOn: (db, day) => count(db, `due_date = $1::date`, day),
};

registerWorkSource('OBJECTION', objectionWork);
