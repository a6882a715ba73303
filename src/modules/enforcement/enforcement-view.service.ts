import { HubContext } from '../context';
import { notFound } from '../../platform/errors';
import { isUuid, requireFound } from '../../platform/checks';
import { mayReadInternal } from '../../platform/auth/access.rules';
import type { Bilingual } from '../policy/credit-policy';
import { indicatorOf, policyFor } from '../policy/credit-policy';
import { assertAccess } from '../enterprise/enterprise.service';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import type { Deadline } from '../calendar/working-days.rules';
import { FineState, NoticeState, caseOutcome, fineState, noticeState } from '../credit/enforcement.rules';
import { afterDay, toCaseFacts } from './enforcement.rules';
import type { EnforcementCaseRow, FineRow, NoticeRow } from './enforcement.repository';

/** What `EnforcementCase.outcome` shows: the case at now, and its facts in both languages. */
export interface CaseOutcomeView {
  level: 'GENERAL' | 'SERIOUS' | 'SEVERE' | null;
  directC: boolean;
  directD: boolean;
  fined: boolean;
  fineLate: boolean;
  rectified: boolean;
  missedNotices: string[];
  facts: Bilingual;
}

/** Reading enforcement cases: internal data (supervising authorities and the credit authority in scope, the enterprise itself). */
export const enforcementViewService = {
  async get(ctx: HubContext, id: string): Promise<EnforcementCaseRow> {
    if (!isUuid(id)) throw notFound(`没有执法案件 ${id} / No enforcement case ${id}`);
    const c = requireFound(await ctx.loaders.enforcementCase.load(id), 'enforcement case', id);
    assertAccess(ctx, requireFound(await ctx.loaders.enterprise.load(c.enterpriseId), 'enterprise', c.enterpriseId), 'internal');
    return c;
  },

  ofEnterprise(ctx: HubContext, e: EnterpriseRow): Promise<EnforcementCaseRow[]> {
    assertAccess(ctx, e, 'internal');
    return ctx.loaders.enforcementCases.load(e.id);
  },

  /** The case a record was determined from; null without one, or for a caller who may not read internal data. */
  async ofRecord(ctx: HubContext, record: { id: string; enterpriseId: string }): Promise<EnforcementCaseRow | null> {
    const e = await ctx.loaders.enterprise.load(record.enterpriseId);
    if (!e || !mayReadInternal(ctx.principal, e)) return null;
    return ctx.loaders.enforcementCaseOfRecord.load(record.id);
  },

  async enterprise(ctx: HubContext, c: EnforcementCaseRow): Promise<EnterpriseRow> {
    return requireFound(await ctx.loaders.enterprise.load(c.enterpriseId), 'enterprise', c.enterpriseId);
  },

  notices: (ctx: HubContext, c: EnforcementCaseRow): Promise<NoticeRow[]> => ctx.loaders.caseNotices.load(c.id),
  fines: (ctx: HubContext, c: EnforcementCaseRow): Promise<FineRow[]> => ctx.loaders.caseFines.load(c.id),

  noticeState(n: NoticeRow, now = new Date()): NoticeState {
    return noticeState({ noticeNo: n.noticeNo, issuedAt: n.issuedAt, deadline: afterDay(n.deadlineDate), compliedAt: n.compliedAt }, now);
  },

  fineState(f: FineRow, now = new Date()): FineState {
    return fineState({ decisionNo: f.decisionNo, servedAt: f.servedAt, dueAt: afterDay(f.dueDate), paidAt: f.paidAt }, now);
  },

  fineDue: (f: FineRow): Deadline => ({ dueDate: f.dueDate, provisional: f.dueProvisional }),

  /** The case now, under the policy in force now (or the latest): level, direct C, direct D only on the policy's dAreas. */
  async outcome(ctx: HubContext, c: EnforcementCaseRow): Promise<CaseOutcomeView> {
    const now = new Date();
    const [notices, fines] = await Promise.all([ctx.loaders.caseNotices.load(c.id), ctx.loaders.caseFines.load(c.id)]);
    const policy = policyFor(ctx.policies, now);
    const ind = indicatorOf(policy, c.indicator);
    const o = caseOutcome(toCaseFacts(c, notices, fines), now, policy.directGrading, ind ? ind.levels.SEVERE !== undefined : true);
    return {
      level: o.level,
      directC: o.directC,
      directD: o.directD && !!ind && policy.directGrading.dAreas.includes(ind.area),
      fined: o.fined,
      fineLate: o.fineLate,
      rectified: o.rectified,
      missedNotices: o.missedRun,
      facts: o.facts,
    };
  },
};
