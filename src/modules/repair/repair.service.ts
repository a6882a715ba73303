import { withTransaction } from '../../platform/context';
import { duplicate, forbidden, isUniqueViolation, badInput, notFound } from '../../platform/errors';
import { isUuid, requireFound } from '../../platform/checks';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import { chinaYearBounds } from '../../platform/china-time';
import type { HubContext } from '../context';
import { registerDeadlineRecomputer } from '../deadlines';
import { EnterpriseRow, lockEnterpriseById } from '../enterprise/enterprise.repository';
import { CreditRecordRow, findCreditRecord } from '../credit/credit-record.repository';
import { changeStatusIn, creditRecordService } from '../credit/credit-record.service';
import { ratingService } from '../rating/rating.service';
import { policyInForce, unrepairableCondition } from '../policy/credit-policy';
import { filingService } from '../filing/filing.service';
import { calendarService } from '../calendar/calendar.service';
import { workingDayDeadline } from '../calendar/working-days.rules';
import type { Deadline } from '../calendar/working-days.rules';
import {
  CreditRepairRow,
  findRepair,
  insertRepair,
  openDecisionsConfirmedIn,
  openRepairOf,
  setRepairConfirmed,
  setRepairDecided,
  setRepairDue,
  setRepairForwarded,
  setRepairReturned,
  setRepairSupplemented,
} from './repair.repository';
import {
  DETERMINATION,
  REPAIR_DECISION_WORKING_DAYS,
  checkCommitment,
  checkDecisionNote,
  checkEvidence,
  checkReturnNote,
  checkStatement,
  checkStepOrder,
  decisionDueAt,
  stepAt,
} from './repair.rules';
import './repair.work';
import './repair-notice';

export interface SubmitRepair {
  recordId: string;
  statement: string;
  evidence?: string[] | null;
  commitmentSigned?: boolean | null;
  at?: Date | null;
}

const noRepair = (id: string) => notFound(`没有该信用修复申请 / No credit repair ${id}`);

/** The repair and its enterprise, locked in that order (enterprise first, as every change that re-grades it does). */
async function lockRepair(ctx: HubContext, id: string): Promise<{ repair: CreditRepairRow; e: EnterpriseRow }> {
  if (!isUuid(id)) throw noRepair(id);
  const found = await findRepair(ctx.db, id);
  if (!found) throw noRepair(id);
  const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
  const repair = requireFound(await findRepair(ctx.db, id, true), 'credit repair', id);
  return { repair, e };
}

/** The enterprise itself or a supervising authority in scope may apply (Art. 24). */
function maySubmit(ctx: HubContext, e: EnterpriseRow): boolean {
  const p = ctx.principal;
  return (p.role === 'ENTERPRISE' && p.creditCode === e.creditCode) || mayWrite(p, e);
}

/** The competent authority checks and forwards: the supervising authority in scope; NOT_FOUND outside its scope, FORBIDDEN otherwise. */
function requireCompetent(ctx: HubContext, e: EnterpriseRow, id: string): void {
  if (mayWrite(ctx.principal, e)) return;
  if (!inScope(ctx.principal, e)) throw noRepair(id);
  throw forbidden(
    '信用修复申请由有管辖权的水行政主管部门审核、退回补正或报送 / Only the competent (supervising) water authority checks, returns or forwards a repair (Art. 25)',
  );
}

/** When the file was last handed in: the submission, or the latest supplement. */
function lastFiled(r: CreditRepairRow): Date {
  return r.supplementedAt && r.supplementedAt > r.submittedAt ? r.supplementedAt : r.submittedAt;
}

/**
 * Credit repair (信用修复, Art. 22, 24, 25): application → check (return for supplement …) → forward → confirmation by the next level up →
 * decision within 3 working days. Each step is one transaction that locks the enterprise; a
 * refused step stores nothing. Approval makes the record REPAIRED and re-grades in the same
 * transaction.
 */
export const repairService = {
  async submit(ctx: HubContext, input: SubmitRepair): Promise<CreditRepairRow> {
    const statement = checkStatement(input.statement);
    const evidence = checkEvidence(input.evidence);
    const commitmentSigned = checkCommitment(input.commitmentSigned);
    if (!isUuid(input.recordId)) throw notFound(`没有该信用记录 / No credit record ${input.recordId}`);
    return withTransaction(ctx, async (ctx) => {
      const found = requireFound(await findCreditRecord(ctx.db, input.recordId), 'credit record', input.recordId);
      const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
      if (!maySubmit(ctx, e)) {
        if (!inScope(ctx.principal, e)) throw notFound(`没有该信用记录 / No credit record ${input.recordId}`);
        throw forbidden(
          `无权申请信用修复：仅企业本身或其主管水行政部门可以申请（第二十四条） / Only the enterprise itself or its supervising water authority may apply for repair (Art. 24)`,
        );
      }
      const record = requireFound(await findCreditRecord(ctx.db, input.recordId, true), 'credit record', input.recordId);
      if (record.kind !== 'DISHONESTY') throw badInput('只有失信记录可以申请信用修复 / Only a dishonesty record can be repaired', 'recordId');
      if (record.status !== 'ACTIVE')
        throw badInput(`该信用记录状态为 ${record.status}，不能申请修复 / The record is ${record.status}; only an ACTIVE record can be repaired`, 'recordId');
      const at = stepAt(input.at, record.determinedAt, DETERMINATION);
      const policy = policyInForce(ctx.policies, at) ?? policyInForce(ctx.policies, record.occurredAt);
      const barred = policy && unrepairableCondition(policy, record);
      if (barred)
        throw badInput(
          `该失信信息不可修复：${barred.description.zh}。依据：${barred.legalBasis.zh} / This record may not be repaired: ${barred.description.en}. Legal basis: ${barred.legalBasis.en}`,
          'recordId',
        );
      if (await openRepairOf(ctx.db, record.id))
        throw duplicate('该信用记录已有正在办理的修复申请 / The record already has an open repair application (not yet decided)');
      try {
        return requireFound(
          await insertRepair(ctx.db, {
            recordId: record.id,
            enterpriseId: e.id,
            statement,
            evidence,
            commitmentSigned,
            submittedAt: at,
            submittedBy: ctx.principal.subject,
          }),
          'credit repair',
          record.id,
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicate('该信用记录已有正在办理的修复申请 / The record already has an open repair application');
        throw err;
      }
    });
  },

  /**
   * The competent authority (the supervising authority in scope) checks the file and returns it
   * for supplement, saying what is missing (退回补正): RETURNED until the applicant supplements it.
   */
  async return(ctx: HubContext, id: string, note: string, at?: Date | null): Promise<CreditRepairRow> {
    const n = checkReturnNote(note);
    return withTransaction(ctx, async (ctx) => {
      const { repair, e } = await lockRepair(ctx, id);
      requireCompetent(ctx, e, id);
      checkStepOrder('return', repair.status);
      const when = stepAt(at, lastFiled(repair));
      return requireFound(await setRepairReturned(ctx.db, repair.id, when, ctx.principal.subject, n), 'credit repair', id);
    });
  },

  /** The applicant (the enterprise itself or its supervising authority) supplements a RETURNED file: SUBMITTED again, to be checked anew. */
  async supplement(ctx: HubContext, id: string, input: { statement?: string | null; evidence?: string[] | null; at?: Date | null }): Promise<CreditRepairRow> {
    const statement = input.statement == null ? null : checkStatement(input.statement);
    const added = checkEvidence(input.evidence);
    return withTransaction(ctx, async (ctx) => {
      const { repair, e } = await lockRepair(ctx, id);
      if (!maySubmit(ctx, e)) {
        if (!inScope(ctx.principal, e)) throw noRepair(id);
        throw forbidden('仅申请企业本身或其主管水行政部门可以补正 / Only the enterprise itself or its supervising water authority may supplement a repair');
      }
      checkStepOrder('supplement', repair.status);
      const when = stepAt(input.at, repair.returnedAt!);
      const evidence = checkEvidence([...repair.evidence, ...added]);
      return requireFound(await setRepairSupplemented(ctx.db, repair.id, when, statement ?? repair.statement, evidence), 'credit repair', id);
    });
  },

  /** The competent authority forwards a checked file to the next level up for confirmation (Art. 25). */
  async forward(ctx: HubContext, id: string, at?: Date | null): Promise<CreditRepairRow> {
    return withTransaction(ctx, async (ctx) => {
      const { repair, e } = await lockRepair(ctx, id);
      requireCompetent(ctx, e, id);
      checkStepOrder('forward', repair.status);
      const when = stepAt(at, lastFiled(repair));
      return requireFound(await setRepairForwarded(ctx.db, repair.id, when, ctx.principal.subject), 'credit repair', id);
    });
  },

  /** Art. 25: only an officer of the level above (a city or provincial authority covering the enterprise) confirms. */
  async confirm(ctx: HubContext, id: string, at?: Date | null): Promise<CreditRepairRow> {
    return withTransaction(ctx, async (ctx) => {
      const { repair, e } = await lockRepair(ctx, id);
      const p = ctx.principal;
      if (!inScope(p, e) || !(p.role === 'PROVINCE_AUTHORITY' || p.role === 'CITY_AUTHORITY')) {
        if (p.role !== 'COUNTY_AUTHORITY' && !inScope(p, e)) throw noRepair(id);
        throw forbidden(
          '信用修复须由上一级水行政主管部门（市级）确认（第二十五条） / Only the next level up (the city water authority covering the enterprise) may confirm a repair (Art. 25)',
        );
      }
      checkStepOrder('confirm', repair.status);
      const when = stepAt(at, repair.forwardedAt!);
      const due = await calendarService.workingDayDeadline(ctx, when, REPAIR_DECISION_WORKING_DAYS);
      return requireFound(await setRepairConfirmed(ctx.db, repair.id, when, p.subject, due.dueDate, due.provisional), 'credit repair', id);
    });
  },

  async decide(ctx: HubContext, id: string, approve: boolean, note?: string | null, at?: Date | null): Promise<CreditRepairRow> {
    const n = checkDecisionNote(approve, note);
    return withTransaction(ctx, async (ctx) => {
      const { repair, e } = await lockRepair(ctx, id);
      if (!mayWrite(ctx.principal, e)) {
        if (!inScope(ctx.principal, e)) throw noRepair(id);
        throw forbidden('无权作出信用修复决定 / Only the supervising water authority decides a repair (Art. 25)');
      }
      checkStepOrder('decide', repair.status);
      const when = stepAt(at, repair.confirmedAt!);
      const decided = requireFound(
        await setRepairDecided(ctx.db, repair.id, approve ? 'APPROVED' : 'REJECTED', when, ctx.principal.subject, n),
        'credit repair',
        id,
      );
      if (approve) {
        const record = requireFound(await findCreditRecord(ctx.db, repair.recordId, true), 'credit record', repair.recordId);
        if (record.status !== 'ACTIVE')
          throw badInput(`该信用记录状态已为 ${record.status}，不能修复 / The record is ${record.status} already; only an ACTIVE record can be repaired`, 'id');
        const reason = `信用修复申请已批准（第二十五条）/ credit repair ${repair.id} approved (Art. 25)${n ? `: ${n}` : ''}`;
        await changeStatusIn(ctx, e, record, 'REPAIRED', reason, { kind: 'REPAIR', id: repair.id, at: when });
        await ratingService.reevaluateIn(ctx, e);
        // Art. 25: the decision is reported to the credit platform and filed with the next level up.
        await filingService.fileIn(ctx, e, record, { id: repair.id, decidedAt: when });
      }
      return decided;
    });
  },

  /** The repair's credit record (one batched load per request). */
  async record(ctx: HubContext, r: CreditRepairRow): Promise<CreditRecordRow> {
    return requireFound(await ctx.loaders.record.load(r.recordId), 'credit record', r.recordId);
  },

  /** A record's repair applications, oldest first: internal data (FORBIDDEN to whoever may not read the enterprise's internal data). */
  async ofRecord(ctx: HubContext, r: CreditRecordRow): Promise<CreditRepairRow[]> {
    if (!(await creditRecordService.mayReadInternal(ctx, r))) throw forbidden('信用修复申请属内部信息 / Repair applications are internal.');
    return ctx.loaders.repairs.load(r.id);
  },

  decisionDue(r: CreditRepairRow): Deadline | null {
    return r.decisionDueDate === null ? null : { dueDate: r.decisionDueDate, provisional: r.decisionDueProvisional ?? false };
  },

  decisionDueAt(r: CreditRepairRow): Date | null {
    return r.decisionDueDate === null ? null : decisionDueAt(r.decisionDueDate);
  },

  /** After a calendar year is loaded: recomputes the open decision deadlines confirmed in it or the year before. */
  async recomputeDecisionDues(ctx: HubContext, year: number): Promise<number> {
    const [from, to] = [chinaYearBounds(year - 1).start, chinaYearBounds(year).end];
    const open = await openDecisionsConfirmedIn(ctx.db, from, to);
    if (!open.length) return 0;
    const source = await calendarService.sourceFrom(ctx, from);
    let changed = 0;
    for (const r of open) {
      const due = workingDayDeadline(r.confirmedAt!, REPAIR_DECISION_WORKING_DAYS, source);
      if (due.dueDate === r.decisionDueDate && due.provisional === r.decisionDueProvisional) continue;
      await setRepairDue(ctx.db, r.id, due.dueDate, due.provisional);
      changed++;
    }
    return changed;
  },
};

registerDeadlineRecomputer('credit_repair', (ctx, year) => repairService.recomputeDecisionDues(ctx, year));
