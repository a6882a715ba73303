/**
 * The credit cycle in flight in the demo, driven through the services an officer's client calls
 * (every check, deadline, re-grade, filing and audit entry is the real one): repairs at each step
 * (one decision overdue, one approved, one returned for supplement, one awaiting the check), one
 * objection upheld (facts wrong: the record revoked) and one open, a report and tips awaiting
 * verification, determinations filed upward (one acknowledged, one overdue) and a written
 * authorisation. Step dates lie in the past (`at`), as paper files entered after the fact do, so
 * deadlines have run by `now`; each date is a whole number of days before now, at 10:00 China time.
 */
import type { Principal } from '../../platform/auth/principal';
import { chinaDateString } from '../../platform/china-time';
import { logger } from '../../platform/logger';
import { rows } from '../../platform/sql';
import { HubDeps, HubContext, createContext } from '../context';
import { creditRecordService } from '../credit/credit-record.service';
import { filingService } from '../filing/filing.service';
import { filingsOfRecords } from '../filing/filing.repository';
import { grantService } from '../grant/grant.service';
import { objectionService } from '../objection/objection.service';
import { repairService } from '../repair/repair.service';
import { reportService } from '../report/report.service';
import { tipService } from '../tip/tip.service';
import { DAY } from './demo.random';

export interface WorkflowSummary {
  repairs: number;
  objections: number;
  reports: number;
  tips: number;
  determinations: number;
  grants: number;
}

interface Candidate {
  recordId: string;
  creditCode: string;
  region: string;
  indicator: string;
}

const CITY = '130800';
const county = (region: string): Principal => ({ subject: `officer:${region}-01`, role: 'COUNTY_AUTHORITY', regions: [region] });
const city: Principal = { subject: `officer:${CITY}-01`, role: 'CITY_AUTHORITY', regions: [CITY] };
const enterprise = (creditCode: string): Principal => ({ subject: creditCode, role: 'ENTERPRISE', regions: [], creditCode });

/**
 * Active general dishonesty records determined at least 30 days before `now` in the enterprise's
 * own region, one per enterprise, on enterprises graded B or C (so repairs and objections move a grade).
 */
function repairable(ctx: HubContext, now: Date): Promise<Candidate[]> {
  return rows<Candidate>(
    ctx.db,
    `SELECT DISTINCT ON (e.id) r.id AS "recordId", e.credit_code AS "creditCode", e.region_code AS region, r.indicator
       FROM credit_record r JOIN enterprise e ON e.id = r.enterprise_id
      WHERE r.kind = 'DISHONESTY' AND r.status = 'ACTIVE' AND r.level = 'GENERAL'
        AND r.determined_at < $1 AND r.conduct_region_code = e.region_code AND e.current_grade IN ('B', 'C')
      ORDER BY e.id, r.determined_at, r.id
      LIMIT 12`,
    [new Date(now.getTime() - 30 * DAY)],
  );
}

/** Seeds the workflows; returns null (and logs why) when the data set holds too few records to carry them. */
export async function seedDemoWorkflows(deps: HubDeps, now = new Date()): Promise<WorkflowSummary | null> {
  let n = 0;
  const as = (principal: Principal) => createContext(deps, { principal, requestId: `demo-workflows-${++n}`, clientAddress: '127.0.0.1' });
  /** `days` days before now, at 10:00 China time (never after now). */
  const ago = (days: number) => {
    const t = new Date(Date.parse(`${chinaDateString(new Date(now.getTime() - days * DAY))}T10:00:00+08:00`));
    return t > now ? now : t;
  };
  const picks = await repairable(as(city), now);
  if (picks.length < 8) {
    logger.info({ records: picks.length }, 'demo workflows skipped: too few records determined 30 days ago');
    return null;
  }
  const [overdue, approved, returned, waiting, upheld, open, reported, tipped] = picks;
  const summary: WorkflowSummary = { repairs: 0, objections: 0, reports: 0, tips: 0, determinations: 0, grants: 0 };
  const statement = '已完成整改，足额缴纳罚款，不良影响已消除，申请信用修复。';
  const apply = async (c: Candidate, days: number) => {
    summary.repairs++;
    return repairService.submit(as(enterprise(c.creditCode)), {
      recordId: c.recordId,
      statement,
      evidence: ['整改报告.pdf', '罚款缴纳凭证.pdf'],
      commitmentSigned: true,
      at: ago(days),
    });
  };

  // Repairs: decision overdue (confirmed 18 days ago: 3 working days have long run out) …
  const r1 = await apply(overdue, 20);
  await repairService.forward(as(county(overdue.region)), r1.id, ago(19));
  await repairService.confirm(as(city), r1.id, ago(18));
  // … approved (the record REPAIRED, re-graded, filed upward, pushed) …
  const r2 = await apply(approved, 14);
  await repairService.forward(as(county(approved.region)), r2.id, ago(13));
  await repairService.confirm(as(city), r2.id, ago(12));
  await repairService.decide(as(county(approved.region)), r2.id, true, '经市级确认整改到位，准予修复', ago(11));
  // … returned for supplement, and one awaiting the county's check.
  const r3 = await apply(returned, 6);
  await repairService.return(as(county(returned.region)), r3.id, '请补充罚款缴纳凭证原件扫描件', ago(5));
  await apply(waiting, 1);

  // Objections: upheld (facts wrong: the record revoked, re-graded) and one still being compared.
  const o1 = await objectionService.file(as(enterprise(upheld.creditCode)), {
    creditCode: upheld.creditCode,
    recordId: upheld.recordId,
    statement: '该记录所述取水行为发生时我单位取水许可证在有效期内，认定事实有误。',
    receivedBy: 'EVALUATING_BODY',
    at: ago(9),
  });
  await objectionService.decide(as(county(upheld.region)), o1.id, 'FACTS_WRONG', '经核查，取水许可证当时有效，认定事实有误，撤销该记录', ago(6));
  await objectionService.file(as(enterprise(open.creditCode)), {
    creditCode: open.creditCode,
    recordId: open.recordId,
    statement: '该记录的取水量数据与我单位计量数据不一致，申请复核。',
    receivedBy: 'CREDIT_AUTHORITY',
    at: ago(2),
  });
  summary.objections = 2;

  // A report of false information (anonymous, received now) and tips awaiting verification.
  await reportService.submit(as({ subject: 'anonymous', role: 'PUBLIC', regions: [] }), {
    creditCode: reported.creditCode,
    recordId: reported.recordId,
    content: '该企业公示的信用记录与实际不符，请核查。',
  });
  summary.reports = 1;
  await tipService.submit(as(county(tipped.region)), {
    sourceKind: 'FINANCIAL_INSTITUTION',
    creditCode: tipped.creditCode,
    indicator: tipped.indicator,
    content: '贷后检查发现该企业夜间通过未安装计量设施的备用井取水。',
    evidenceRefs: ['现场照片1.jpg'],
    tipsterOrganisation: '承德某商业银行',
    receivedAt: ago(4),
  });
  await tipService.submit(as({ subject: 'anonymous', role: 'PUBLIC', regions: [] }), {
    sourceKind: 'CITIZEN',
    creditCode: tipped.creditCode,
    content: '该企业排水口附近常有抽水设备运行。',
  });
  summary.tips = 2;

  // Determinations filed with the city: one acknowledged in time, one left unacknowledged past its 7 working days.
  for (const [c, days, acknowledge] of [
    [reported, 20, false],
    [tipped, 5, true],
  ] as const) {
    const d = await creditRecordService.recordDishonesty(as(county(c.region)), {
      creditCode: c.creditCode,
      indicator: c.indicator,
      level: 'GENERAL',
      occurredAt: ago(days + 3),
      determinedAt: ago(days),
      basis: '《承德市企业节水信用管理实施细则》附件评价指标',
      description: '现场检查发现取水计量设施未按规定运行。',
      sourceAct: 'ADMINISTRATIVE_INSPECTION',
      sourceDocumentNo: `承水检〔${chinaDateString(ago(days)).slice(0, 4)}〕${String(40 + days).padStart(3, '0')}号`,
    });
    summary.determinations++;
    const [filing] = await filingsOfRecords(as(city).db, [d.id]);
    if (acknowledge && filing) await filingService.acknowledge(as(city), filing.id, ago(days - 2));
  }

  // A written authorisation (Art. 23): a bank reads the result of the enterprise whose repair was approved.
  await grantService.grant(as(enterprise(approved.creditCode)), {
    creditCode: approved.creditCode,
    grantee: { agency: '承德某商业银行' },
    scope: 'RESULT_ONLY',
    purpose: '流动资金贷款审批',
    validUntil: new Date(now.getTime() + 90 * DAY),
  });
  summary.grants = 1;
  return summary;
}
