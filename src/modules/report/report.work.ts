import { hasRole, SUPERVISORS } from '../../platform/auth/access.rules';
import { one, rows } from '../../platform/sql';
import type { Queryable } from '../../platform/sql';
import type { HubContext } from '../context';
import { inJurisdiction } from '../worklist/work-scope';
import { registerWorkSource } from '../worklist/work-source';
import type { WorkItem, WorkSource } from '../worklist/work-source';

async function count(db: Queryable, due: string, day: string): Promise<number> {
  return (await one<{ n: number }>(db, `SELECT count(*)::int AS n FROM false_info_report WHERE status = 'RECEIVED' AND ${due}`, [day]))?.n ?? 0;
}

/**
 * Reports of false credit information (Art. 28) not yet verified: step VERIFY, due on the stored
 * verification deadline (7 working days after receipt), for the supervising authority in scope
 * of the enterprise reported on (who verifies). The summary never names the reporter.
 */
export const reportWork: WorkSource = {
  open(ctx: HubContext, limit: number): Promise<WorkItem[]> {
    const p = ctx.principal;
    if (!hasRole(p, SUPERVISORS)) return Promise.resolve([]);
    const params: unknown[] = [limit];
    const scope = inJurisdiction(p, ['e.region_code'], params);
    return rows<WorkItem>(
      ctx.db,
      `SELECT 'REPORT' AS kind, f.id, 'VERIFY' AS step, f.enterprise_id AS "enterpriseId", f.received_at AS "openedAt",
         to_char(f.due_date, 'YYYY-MM-DD') AS "dueDate", f.due_provisional AS provisional,
         '举报（信用信息不实）待核实 ' || f.receipt_no || ' / report of false credit information awaiting verification' AS summary
       FROM false_info_report f JOIN enterprise e ON e.id = f.enterprise_id
       WHERE f.status = 'RECEIVED' AND ${scope}
       ORDER BY f.received_at, f.id LIMIT $1`,
      params,
    );
  },
  countOverdue: (db, today) => count(db, `due_date < $1::date`, today),
  countDueOn: (db, day) => count(db, `due_date = $1::date`, day),
};

registerWorkSource('REPORT', reportWork);
