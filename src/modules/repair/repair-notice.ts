/**
 * The Art. 22 repair notice (信用修复告知书): when an enterprise's official grade changes into C
 * or D, the same transaction stores which of its ACTIVE dishonesty records may be repaired
 * (Art. 24), which may not (with the legal basis from the policy's `unrepairable` list), and how
 * to apply (Art. 25). Texts are bilingual, Chinese first; they are read in `ctx.lang`.
 */
import { forbidden } from '../../platform/errors';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import type { Bilingual } from '../policy/credit-policy';
import { policyInForce, unrepairableCondition } from '../policy/credit-policy';
import type { HubContext } from '../context';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import { CreditRecordRow, recordsOf } from '../credit/credit-record.repository';
import { groupBy } from '../../platform/sql';
import { onGradeChange } from '../rating/rating.service';
import { insertNotices, NoticeContent, NoticeRecord, RepairNoticeRow } from './repair-notice.repository';

export type { NoticeContent, NoticeRecord, RepairNoticeRow };

export const HOW: Bilingual = {
  zh: '申请方式：向有管辖权的水行政主管部门（本企业的主管水行政部门）提交信用修复申请，附失信行为已纠正、不良影响已消除的说明，整改报告、罚款缴纳凭证等证明材料，并签署信用修复承诺书（信用修复型承诺）；经上一级水行政主管部门确认符合条件的，主管部门于三个工作日内作出修复决定（第二十四条、第二十五条）。',
  en: 'How to apply: file a credit repair application with the competent water authority (the one supervising the enterprise), with a statement that the conduct has been corrected and its effects removed, evidence (rectification report, receipt of the fine paid, …) and the signed credit-repair commitment; once the next level up confirms the conditions are met, the authority decides within three working days (Art. 24, 25).',
};

/** The notice's content for an enterprise graded `grade` at `asOf` with the records `all`: its ACTIVE dishonesty records, repairable or not. */
function noticeContent(ctx: HubContext, all: readonly CreditRecordRow[], grade: 'C' | 'D', asOf: Date): NoticeContent {
  const policy = policyInForce(ctx.policies, asOf);
  const active = all.filter((r) => r.kind === 'DISHONESTY' && r.status === 'ACTIVE');
  const records: NoticeRecord[] = active.map((r) => {
    const barred = policy && unrepairableCondition(policy, r);
    return {
      recordId: r.id,
      indicator: r.indicator,
      level: r.level,
      occurredAt: r.occurredAt.toISOString(),
      repairable: !barred,
      reason: barred
        ? { zh: `${barred.description.zh}；依据：${barred.legalBasis.zh}`, en: `${barred.description.en}; legal basis: ${barred.legalBasis.en}` }
        : null,
    };
  });
  const ok = records.filter((r) => r.repairable).length;
  const no = records.length - ok;
  return {
    text: {
      zh: `信用修复告知书：贵单位节水信用综合评价结果为${grade}级。根据第二十二条、第二十四条，有效失信信息${records.length}条，其中可申请信用修复${ok}条${no ? `，不可修复${no}条（依据见各条）` : ''}。`,
      en: `Credit repair notice: your water-saving credit grade is ${grade}. Under Art. 22 and 24, of your ${records.length} active dishonesty record(s), ${ok} may be repaired${no ? ` and ${no} may not (the legal basis is given for each)` : ''}.`,
    },
    how: HOW,
    records,
  };
}

export const repairNoticeService = {
  /** `Enterprise.repairNotices`: the enterprise itself and the supervising authorities in scope; oldest first. */
  async ofEnterprise(ctx: HubContext, e: EnterpriseRow): Promise<RepairNoticeRow[]> {
    const p = ctx.principal;
    const own = p.role === 'ENTERPRISE' && p.creditCode === e.creditCode;
    if (!own && !(mayWrite(p, e) && inScope(p, e)))
      throw forbidden('信用修复告知书仅企业本身及其主管水行政部门可以查看 / Repair notices are for the enterprise itself and its supervising authorities');
    return ctx.loaders.repairNotices.load(e.id);
  },
};

// The grade changes of one evaluation or of a whole re-grade batch: their records read, and their notices stored, in one statement each.
onGradeChange(async (ctx, changes) => {
  const cd = changes.filter((c): c is typeof c & { rating: { grade: 'C' | 'D' } } => c.rating.grade === 'C' || c.rating.grade === 'D');
  if (!cd.length) return;
  const ids = cd.map((c) => c.e.id);
  const records = groupBy(ids, await recordsOf(ctx.db, ids), (r) => r.enterpriseId);
  const asOf = new Date();
  await insertNotices(
    ctx.db,
    cd.map((c, i) => ({ enterpriseId: c.e.id, ratingId: c.rating.id, grade: c.rating.grade, content: noticeContent(ctx, records[i], c.rating.grade, asOf) })),
  );
});
