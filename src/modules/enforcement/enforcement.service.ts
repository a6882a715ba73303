import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, duplicate, forbidden, isUniqueViolation, notFound } from '../../platform/errors';
import { isUuid, notInFuture, requireFound } from '../../platform/checks';
import { chinaDateString } from '../../platform/china-time';
import { regionCodeProblem } from '../../platform/auth/region.rules';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { EnterpriseRow, lockEnterpriseById } from '../enterprise/enterprise.repository';
import { indicatorOf, policyFor } from '../policy/credit-policy';
import { ratingService } from '../rating/rating.service';
import { calendarService } from '../calendar/calendar.service';
import { registerDeadlineRecomputer } from '../deadlines';
import { checkProvenance, determineIn, NOT_AN_HONOR } from '../credit/credit-record.service';
import { findCreditRecord, type CreditRecordRow } from '../credit/credit-record.repository';
import { caseOutcome } from '../credit/enforcement.rules';
import { chinaYearBounds } from '../../platform/china-time';
import { calendarDayDeadline } from '../calendar/working-days.rules';
import { FINE_PAYMENT_DAYS, afterDay, isDay } from './enforcement.rules';
import { OpenEnforcementCaseInput } from './enforcement.input';
import {
  EnforcementCaseRow,
  FineRow,
  NoticeRow,
  caseFactsOf,
  closeCase,
  findCase,
  findFine,
  findNotice,
  finesServedIn,
  insertCase,
  insertFine,
  insertNotice,
  noticesOf,
  recordOfCase,
  setFineDue,
  setFinePaid,
  setNoticeComplied,
  setNoticeNotComplied,
} from './enforcement.repository';
// Its open work joins the inboxes whenever the service is loaded (API, workers, jobs, tests).
import './enforcement.work';

/** A case, its enterprise locked and checked for write access, inside the caller's transaction. */
interface LockedCase {
  c: EnforcementCaseRow;
  e: EnterpriseRow;
}

/** Finds the case `caseId` (NOT_FOUND for an unknown or malformed id), locks its enterprise then the case, checks write access. */
async function lockCase(ctx: HubContext, caseId: string): Promise<LockedCase> {
  if (!isUuid(caseId)) throw notFound(`没有执法案件 ${caseId} / No enforcement case ${caseId}`);
  const found = requireFound(await findCase(ctx.db, caseId), 'enforcement case', caseId);
  const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
  assertAccess(ctx, e, 'write');
  return { c: requireFound(await findCase(ctx.db, caseId, true), 'enforcement case', caseId), e };
}

function requireOpen(c: EnforcementCaseRow): void {
  if (c.closedAt)
    throw badInput(`案件${c.caseNo}已于${chinaDateString(c.closedAt)}结案 / case ${c.caseNo} was closed on ${chinaDateString(c.closedAt)}`, 'caseId');
}

function requireNumber(value: string, field: string): string {
  const v = value.trim();
  if (!v || v.length > 64) throw badInput(`${field} 须为 1 至 64 个字符 / ${field} must have 1 to 64 characters`, field);
  return v;
}

/** `at` may not precede `earliest` (both instants), else BAD_USER_INPUT naming `field`. */
function notBefore(at: Date, earliest: Date, field: string, zh: string, en: string): void {
  if (at < earliest) throw badInput(`${field} 早于${zh}（${chinaDateString(earliest)}）/ ${field} is before ${en} (${earliest.toISOString()})`, field);
}

/** Runs `fn` on the locked case in one transaction, then re-grades its enterprise in the same transaction. */
function changeCase<T>(ctx: HubContext, caseId: string, fn: (ctx: HubContext, locked: LockedCase) => Promise<T>): Promise<T> {
  return withTransaction(ctx, async (ctx) => {
    const locked = await lockCase(ctx, caseId);
    const out = await fn(ctx, locked);
    await ratingService.reevaluateIn(ctx, locked.e);
    return out;
  });
}

/** Unique-violation on a number becomes a DUPLICATE bad input. */
async function uniquely<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicate(`${what}已存在 / ${what} already exists`);
    throw e;
  }
}

/**
 * Enforcement cases (workflows.md "Enforcement cases", annex row 6): opening a case, its
 * rectification notices and their compliance, fines and their payment, and the dishonesty
 * record determined from what the case established. Every change re-grades the enterprise in
 * the same transaction; a refused step stores nothing.
 */
export const enforcementService = {
  async open(ctx: HubContext, input: OpenEnforcementCaseInput): Promise<EnforcementCaseRow> {
    const caseNo = requireNumber(input.caseNo, 'caseNo');
    notInFuture(input.openedAt, 'openedAt');
    const policy = policyFor(ctx.policies, input.openedAt);
    const indicator = input.indicator.trim();
    if (!indicatorOf(policy, indicator))
      throw badInput(
        `指标${indicator}不在评价指标中 / unknown indicator ${indicator}; policy ${policy.version} has ${policy.indicators.map((i) => i.code).join(', ')}`,
        'indicator',
      );
    const region = input.conductRegionCode?.trim() || null;
    if (region) {
      const problem = regionCodeProblem(region);
      if (problem) throw badInput(problem, 'conductRegionCode');
      const prefixes = jurisdictionPrefixes(ctx.principal);
      if (prefixes && !prefixes.some((p) => region.startsWith(p)))
        throw forbidden(`行为发生地 ${region} 不在您的管辖范围内 / conduct region ${region} is outside your jurisdiction`);
    }
    return uniquely(`案号${caseNo}`, () =>
      withTransaction(ctx, async (ctx) => {
        const e = await requireEnterprise(ctx, input.creditCode, 'write', true);
        const c = requireFound(
          await insertCase(ctx.db, {
            enterpriseId: e.id,
            indicator,
            caseNo,
            conductRegionCode: region ?? e.regionCode,
            openedAt: input.openedAt,
            openedBy: ctx.principal.subject,
          }),
          'enforcement case',
          caseNo,
        );
        await ratingService.reevaluateIn(ctx, e);
        return c;
      }),
    );
  },

  /** 责令整改通知书: `deadline` is its last day (YYYY-MM-DD, China time), not before the day of issue. */
  async issueNotice(ctx: HubContext, caseId: string, noticeNo: string, issuedAt: Date, deadline: string): Promise<NoticeRow> {
    const no = requireNumber(noticeNo, 'noticeNo');
    notInFuture(issuedAt, 'issuedAt');
    const day = deadline.trim();
    if (!isDay(day)) throw badInput(`deadline 须为日期 YYYY-MM-DD / deadline must be a date YYYY-MM-DD, got '${deadline}'`, 'deadline');
    if (day < chinaDateString(issuedAt))
      throw badInput(`整改期限 ${day} 早于通知书送达日 ${chinaDateString(issuedAt)} / the deadline ${day} is before the day of issue`, 'deadline');
    return uniquely(`通知书${no}`, () =>
      changeCase(ctx, caseId, async (ctx, { c }) => {
        requireOpen(c);
        notBefore(issuedAt, c.openedAt, 'issuedAt', '立案时间', 'the case was opened');
        const last = (await noticesOf(ctx.db, [c.id])).at(-1);
        if (last) notBefore(issuedAt, last.issuedAt, 'issuedAt', `上一份通知书${last.noticeNo}`, `the previous notice ${last.noticeNo}`);
        return requireFound(
          await insertNotice(ctx.db, { caseId: c.id, noticeNo: no, issuedAt, deadlineDate: day, createdBy: ctx.principal.subject }),
          'notice',
          no,
        );
      }),
    );
  },

  /** The enterprise complied with the notice on `compliedAt` (after its deadline: recorded, and still a missed notice). */
  async recordCompliance(ctx: HubContext, noticeId: string, compliedAt: Date): Promise<NoticeRow> {
    notInFuture(compliedAt, 'compliedAt');
    const notice = await this.noticeForChange(ctx, noticeId);
    return changeCase(ctx, notice.caseId, async (ctx) => {
      const n = requireFound(await findNotice(ctx.db, noticeId, true), 'notice', noticeId);
      if (n.compliedAt) throw badInput(`通知书${n.noticeNo}已记录整改 / notice ${n.noticeNo} is already complied with`, 'noticeId');
      notBefore(compliedAt, n.issuedAt, 'compliedAt', '通知书送达', 'the notice was issued');
      return requireFound(await setNoticeComplied(ctx.db, n.id, compliedAt), 'notice', noticeId);
    });
  },

  /** Records that the notice was not complied with by its deadline: only once the deadline has passed. */
  async recordNotComplied(ctx: HubContext, noticeId: string, at: Date): Promise<NoticeRow> {
    notInFuture(at, 'at');
    const notice = await this.noticeForChange(ctx, noticeId);
    return changeCase(ctx, notice.caseId, async (ctx) => {
      const n = requireFound(await findNotice(ctx.db, noticeId, true), 'notice', noticeId);
      const passed = afterDay(n.deadlineDate);
      if (at < passed)
        throw badInput(
          `通知书${n.noticeNo}的整改期限至${n.deadlineDate}，尚未届满 / the deadline of notice ${n.noticeNo} (${n.deadlineDate}) has not passed at ${at.toISOString()}`,
          'at',
        );
      if (n.compliedAt && n.compliedAt < passed) throw badInput(`通知书${n.noticeNo}已按期整改 / notice ${n.noticeNo} was complied with in time`, 'noticeId');
      if (n.notCompliedAt) throw badInput(`通知书${n.noticeNo}已记录未按期整改 / already recorded as not complied with`, 'noticeId');
      return requireFound(await setNoticeNotComplied(ctx.db, n.id, at), 'notice', noticeId);
    });
  },

  /** 罚款: due `FINE_PAYMENT_DAYS` calendar days after service, rolled to the next working day; provisional into a year not loaded. */
  async recordFine(ctx: HubContext, caseId: string, decisionNo: string, servedAt: Date, amount?: number | null): Promise<FineRow> {
    const no = requireNumber(decisionNo, 'decisionNo');
    notInFuture(servedAt, 'servedAt');
    if (amount != null && (!Number.isFinite(amount) || amount < 0 || amount > 1e12))
      throw badInput('amount 须为非负金额（元）/ amount must be a non-negative sum in yuan', 'amount');
    return uniquely(`处罚决定书${no}`, () =>
      changeCase(ctx, caseId, async (ctx, { c }) => {
        requireOpen(c);
        notBefore(servedAt, c.openedAt, 'servedAt', '立案时间', 'the case was opened');
        const due = await calendarService.calendarDayDeadline(ctx, servedAt, FINE_PAYMENT_DAYS);
        return requireFound(
          await insertFine(ctx.db, {
            caseId: c.id,
            decisionNo: no,
            amount: amount ?? null,
            servedAt,
            dueDate: due.dueDate,
            dueProvisional: due.provisional,
            createdBy: ctx.principal.subject,
          }),
          'fine',
          no,
        );
      }),
    );
  },

  async recordFinePayment(ctx: HubContext, fineId: string, paidAt: Date): Promise<FineRow> {
    notInFuture(paidAt, 'paidAt');
    if (!isUuid(fineId)) throw notFound(`没有罚款 ${fineId} / No fine ${fineId}`);
    const fine = requireFound(await findFine(ctx.db, fineId), 'fine', fineId);
    return changeCase(ctx, fine.caseId, async (ctx) => {
      const f = requireFound(await findFine(ctx.db, fineId, true), 'fine', fineId);
      if (f.paidAt) throw badInput(`罚款${f.decisionNo}已于${chinaDateString(f.paidAt)}缴纳 / fine ${f.decisionNo} is already paid`, 'fineId');
      notBefore(paidAt, f.servedAt, 'paidAt', '处罚决定书送达', 'the fine was served');
      return requireFound(await setFinePaid(ctx.db, f.id, paidAt), 'fine', fineId);
    });
  },

  async close(ctx: HubContext, caseId: string, closedAt: Date): Promise<EnforcementCaseRow> {
    notInFuture(closedAt, 'closedAt');
    return changeCase(ctx, caseId, async (ctx, { c }) => {
      requireOpen(c);
      notBefore(closedAt, c.openedAt, 'closedAt', '立案时间', 'the case was opened');
      return requireFound(await closeCase(ctx.db, c.id, closedAt), 'enforcement case', caseId);
    });
  },

  /**
   * Determines the dishonesty record the case establishes, with the DERIVED level (一般 rectified
   * as ordered / 较重 fined and rectified / 严重 fined and not rectified), through the one path of
   * a determined record (`determineIn`), and links it to the case. BAD_USER_INPUT while the case
   * establishes no level yet, or when a record was already determined from it.
   */
  async determineFromCase(ctx: HubContext, caseId: string, basis: string, description?: string | null, occurredAt?: Date | null): Promise<CreditRecordRow> {
    const legal = basis.trim();
    if (!legal) throw badInput('须写明认定依据 / basis is required', 'basis');
    if (occurredAt) notInFuture(occurredAt, 'occurredAt');
    const now = new Date();
    return withTransaction(ctx, async (ctx) => {
      const { c, e } = await lockCase(ctx, caseId);
      const existing = await recordOfCase(ctx.db, c.id);
      if (existing) throw duplicate(`已依案件${c.caseNo}认定失信信息 ${existing} / a record was already determined from case ${c.caseNo}`);
      const policy = policyFor(ctx.policies, occurredAt ?? c.openedAt);
      const ind = indicatorOf(policy, c.indicator);
      if (!ind) throw badInput(`指标${c.indicator}不在 ${policy.version} 中 / indicator ${c.indicator} is not in ${policy.version}`, 'caseId');
      const facts = (await caseFactsOf(ctx.db, e.id)).find((f) => f.caseId === c.id)!;
      const outcome = caseOutcome(facts, now, policy.directGrading, ind.levels.SEVERE !== undefined);
      if (!outcome.level)
        throw badInput(
          `案件${c.caseNo}尚未形成可认定的失信等级（无整改通知书或罚款）/ case ${c.caseNo} establishes no level yet: ${outcome.facts.en}`,
          'caseId',
        );
      // Provenance (Art. 7, 11): a fined case follows from the penalty decision (行政处罚), else from the
      // rectification order of the administrative inspection (行政检查), with that document's number.
      const fine = facts.fines.at(-1);
      const notice = facts.notices.at(-1);
      const occurred = occurredAt ?? c.openedAt;
      const record = await determineIn(ctx, e, {
        kind: 'DISHONESTY',
        indicator: c.indicator,
        level: outcome.level,
        honorLevel: null,
        title: null,
        description: description?.trim() || outcome.facts.zh,
        occurredAt: occurred,
        basis: legal,
        caseId: c.id,
        conductRegionCode: c.conductRegionCode,
        ...checkProvenance(e, occurred, {
          determinedAt: now,
          sourceAct: fine ? 'ADMINISTRATIVE_PENALTY' : 'ADMINISTRATIVE_INSPECTION',
          sourceDocumentNo: fine?.decisionNo ?? notice?.noticeNo ?? c.caseNo,
        }),
        ...NOT_AN_HONOR,
      });
      return requireFound(await findCreditRecord(ctx.db, record.id), 'credit record', record.id);
    });
  },

  /** The notice (outside any lock: its case is what the change locks), NOT_FOUND for an unknown or malformed id. */
  async noticeForChange(ctx: HubContext, noticeId: string): Promise<NoticeRow> {
    if (!isUuid(noticeId)) throw notFound(`没有整改通知书 ${noticeId} / No rectification notice ${noticeId}`);
    return requireFound(await findNotice(ctx.db, noticeId), 'rectification notice', noticeId);
  },

  /**
   * After `year`'s official calendar was loaded: recomputes the due dates of the fines whose
   * payment period can reach into it (served from 1 January of the year before), re-grades the
   * enterprises whose fines moved, and returns how many moved or stopped being provisional.
   */
  async recomputeFineDues(ctx: HubContext, year: number): Promise<number> {
    const [from, to] = [chinaYearBounds(year - 1).start, chinaYearBounds(year).end];
    // Enterprises first, in id order, as every change to a case locks them: then their fines hold still.
    const ids = [...new Set((await finesServedIn(ctx.db, from, to)).map((f) => f.enterpriseId))].sort();
    if (!ids.length) return 0;
    const locked = new Map<string, EnterpriseRow>();
    for (const id of ids) {
      const e = await lockEnterpriseById(ctx.db, id);
      if (e) locked.set(id, e);
    }
    const source = await calendarService.sourceFrom(ctx, from);
    const moved = new Set<string>();
    let changed = 0;
    for (const f of await finesServedIn(ctx.db, from, to)) {
      const due = calendarDayDeadline(f.servedAt, FINE_PAYMENT_DAYS, source);
      if (due.dueDate === f.dueDate && due.provisional === f.dueProvisional) continue;
      await setFineDue(ctx.db, f.id, due.dueDate, due.provisional);
      if (due.dueDate !== f.dueDate) moved.add(f.enterpriseId);
      changed++;
    }
    for (const id of [...moved].sort()) {
      const e = locked.get(id);
      if (e) await ratingService.reevaluateIn(ctx, e);
    }
    return changed;
  },
};

registerDeadlineRecomputer('enforcement_fine', (ctx, year) => enforcementService.recomputeFineDues(ctx, year));
