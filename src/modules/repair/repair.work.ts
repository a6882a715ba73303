/**
 * The repair workflow's open work (worklist/work-source.ts, kind REPAIR): CHECK (a SUBMITTED
 * file, for the competent authority: the supervising authorities in scope), CONFIRM (a FORWARDED
 * file, for the next level up: city and provincial authorities in scope), DECIDE (CONFIRMED, for the
 * competent authority, due on the stored decision deadline). A RETURNED file awaits the
 * enterprise's supplement: no authority's work, not listed.
 */
import { hasRole, SUPERVISORS } from '../../platform/auth/access.rules';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import type { Role } from '../../platform/auth/principal';
import type { HubContext } from '../context';
import { registerWorkSource, WorkItem, WorkSource } from '../worklist/work-source';
import { countOpenDecisionsDue, CreditRepairRow, openRepairsIn } from './repair.repository';

export const REPAIR_WORK_KIND = 'REPAIR';

const CONFIRMERS: readonly Role[] = ['PROVINCE_AUTHORITY', 'CITY_AUTHORITY'];

const STEPS = {
  SUBMITTED: { step: 'CHECK', summary: '信用修复申请待审核 / repair application to be checked' },
  FORWARDED: { step: 'CONFIRM', summary: '信用修复申请待上一级确认 / repair awaiting confirmation by the next level up' },
  CONFIRMED: { step: 'DECIDE', summary: '信用修复待作出决定（3个工作日内） / repair to be decided (within 3 working days)' },
} as const;

function item(r: CreditRepairRow): WorkItem {
  const s = STEPS[r.status as keyof typeof STEPS];
  return {
    kind: REPAIR_WORK_KIND,
    id: r.id,
    step: s.step,
    enterpriseId: r.enterpriseId,
    openedAt: r.submittedAt,
    dueDate: r.status === 'CONFIRMED' ? r.decisionDueDate : null,
    provisional: r.status === 'CONFIRMED' ? (r.decisionDueProvisional ?? false) : false,
    summary: s.summary,
  };
}

export const repairWork: WorkSource = {
  async open(ctx: HubContext, limit: number): Promise<WorkItem[]> {
    const p = ctx.principal;
    const statuses: string[] = [];
    if (hasRole(p, SUPERVISORS)) statuses.push('SUBMITTED', 'CONFIRMED');
    if (hasRole(p, CONFIRMERS)) statuses.push('FORWARDED');
    if (!statuses.length || limit <= 0) return [];
    const prefixes = jurisdictionPrefixes(p);
    if (prefixes !== null && !prefixes.length) return [];
    return (await openRepairsIn(ctx.db, statuses, prefixes, limit)).map(item);
  },
  countOverdue: (db, today) => countOpenDecisionsDue(db, '<', today),
  countDueOn: (db, day) => countOpenDecisionsDue(db, '=', day),
};

registerWorkSource(REPAIR_WORK_KIND, repairWork);
