import { hasRole, SUPERVISORS } from '../../platform/auth/access.rules';
import { one, rows } from '../../platform/sql';
import type { Queryable } from '../../platform/sql';
import type { HubContext } from '../context';
import { inJurisdiction } from '../worklist/work-scope';
import { registerWorkSource } from '../worklist/work-source';
import type { WorkItem, WorkSource } from '../worklist/work-source';

async function count(db: Queryable, due: string, day: string): Promise<number> {
  return (await one<{ n: number }>(db, `SELECT count(*)::int AS n FROM enforcement_fine WHERE paid_at IS NULL AND ${due}`, [day]))?.n ?? 0;
}

/**
 * Fines (罚款) served and not yet paid: step PAYMENT (the authority records the payment, or
 * follows up when the period ran out), due on the stored last day of the payment period,
 * opened at service. Seen by the supervising authority whose jurisdiction covers the case's
 * conduct region (it fined) or the enterprise's registration region.
 */
export const fineWork: WorkSource = {
  open(ctx: HubContext, limit: number): Promise<WorkItem[]> {
    const p = ctx.principal;
    if (!hasRole(p, SUPERVISORS)) return Promise.resolve([]);
    const params: unknown[] = [limit];
    const scope = inJurisdiction(p, ['c.conduct_region_code', 'e.region_code'], params);
    return rows<WorkItem>(
      ctx.db,
      `SELECT 'FINE' AS kind, f.id, 'PAYMENT' AS step, c.enterprise_id AS "enterpriseId", f.served_at AS "openedAt",
         to_char(f.due_date, 'YYYY-MM-DD') AS "dueDate", f.due_provisional AS provisional,
         '罚款待缴纳 ' || f.decision_no || ' / fine awaiting payment' AS summary
       FROM enforcement_fine f JOIN enforcement_case c ON c.id = f.case_id JOIN enterprise e ON e.id = c.enterprise_id
       WHERE f.paid_at IS NULL AND ${scope}
       ORDER BY f.served_at, f.id LIMIT $1`,
      params,
    );
  },
  countOverdue: (db, today) => count(db, `due_date < $1::date`, today),
  countDueOn: (db, day) => count(db, `due_date = $1::date`, day),
};

registerWorkSource('FINE', fineWork);
