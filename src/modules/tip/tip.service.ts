import { withTransaction } from '../../platform/context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { isUuid, requireFound } from '../../platform/checks';
import { INTERNAL_READERS, SUPERVISORS, hasRole, inScope, mayWrite } from '../../platform/auth/access.rules';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { chinaYearBounds } from '../../platform/china-time';
import { decodeCursor, encodeCursor } from '../../platform/sql';
import { Page, pageSize, toConnection } from '../../platform/graphql/connection';
import type { HubContext } from '../context';
import { registerDeadlineRecomputer } from '../deadlines';
import { pastDate, receivedWhen } from '../intake/received-at';
import { registerWorkSource } from '../worklist/work-source';
import { EnterpriseRow, findByCreditCode, lockEnterpriseById } from '../enterprise/enterprise.repository';
import { calendarService } from '../calendar/calendar.service';
import { workingDayDeadline } from '../calendar/working-days.rules';
import type { Deadline } from '../calendar/working-days.rules';
import { DISHONESTY_LEVELS, DishonestyLevel, policyFor } from '../policy/credit-policy';
import { levelScore } from '../credit/credit.rules';
import { CandidateRow, insertTipCandidate } from '../candidate/candidate.repository';
import { stepAt } from '../repair/repair.rules';
import { RateLimiter } from '../intake/intake.rules';
import { RestrictedKind, readRestrictedIdentity } from '../intake/restricted-identity';
import { checkNote } from '../report/report.rules';
import {
  TipFilter,
  TipRow,
  countOpenTipsDue,
  countTips,
  findTip,
  findTipByReceipt,
  insertTip,
  openTipsReceivedIn,
  pageTips,
  setTipDue,
  setTipVerified,
  tipsterIdentity,
} from './tip.repository';
import {
  TIP_VERIFICATION_WORKING_DAYS,
  TipOutcome,
  TipSourceKind,
  TipStatus,
  Tipster,
  checkEvidenceRefs,
  checkTipContent,
  checkTipVerifiable,
  checkTipster,
  tipReceiptNumber,
} from './tip.rules';

export interface TipInput {
  sourceKind: TipSourceKind;
  creditCode: string;
  indicator?: string | null;
  content: string;
  occurredAt?: Date | null;
  evidenceRefs?: string[] | null;
  tipsterName?: string | null;
  tipsterOrganisation?: string | null;
  tipsterContact?: string | null;
  /** A tip received on paper or by telephone, entered later by the supervising authority in scope: when it arrived. */
  receivedAt?: Date | null;
}

export interface VerifyTipInput {
  /** The indicator the conduct concerns, when the tip did not say or said wrongly (required for CONFIRMED if the tip has none). */
  indicator?: string | null;
  /** When the conduct happened, when the tip did not say or said wrongly (required for CONFIRMED if the tip has none). */
  occurredAt?: Date | null;
  /** The suggested level for the candidate (default: the lowest level the indicator has). */
  level?: DishonestyLevel | null;
}

export interface TipReceipt {
  id: string;
  receiptNo: string;
  receivedAt: Date;
  due: Deadline;
}

export interface TipStatusView {
  receiptNo: string;
  status: TipStatus;
  due: Deadline;
}

export interface TipPage extends Page<TipRow> {
  /** For `totalCount`, resolved only when selected. */
  filter: TipFilter;
}

/** `tips` page size when `first` is left out or null; also the schema's default. */
export const TIPS_PAGE = 20;

/** Per client address: 5 tips per 10 minutes (this process), as reports are. */
export const tipRateLimit = new RateLimiter(undefined, undefined, { zh: '线索提交', en: 'tips' });

/** A tipster's identity: restricted (src/modules/intake/restricted-identity.ts), each read audited as readTipsterIdentity. */
const TIPSTER: RestrictedKind = { action: 'readTipsterIdentity', targetType: 'tip', idsKey: 'tipIds' };

const noTip = (id: string) => notFound(`没有该线索 / No tip ${id}`);
const noEnterprise = (code: string) => notFound(`没有该企业 / No enterprise ${code}`);
const deadlineOf = (t: TipRow): Deadline => ({ dueDate: t.dueDate, provisional: t.dueProvisional });

/** The indicator code, trimmed; must exist in the policy in force at `at` (BAD_USER_INPUT on `indicator`). */
function checkIndicator(ctx: HubContext, code: string, at: Date): string {
  const c = code.trim();
  const policy = policyFor(ctx.policies, at);
  if (!policy.indicators.some((i) => i.code === c))
    throw badInput(`指标 ${c} 不在信用评价指标中（${policy.version}） / indicator ${c} is not in policy ${policy.version}`, 'indicator');
  return c;
}

/** The tip and its enterprise, locked enterprise first (as every change that may re-grade it). */
async function lockTip(ctx: HubContext, id: string): Promise<{ tip: TipRow; e: EnterpriseRow }> {
  if (!isUuid(id)) throw noTip(id);
  const found = await findTip(ctx.db, id);
  if (!found) throw noTip(id);
  const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
  return { tip: requireFound(await findTip(ctx.db, id, true), 'tip', id), e };
}

/**
 * Tips (线索, Art. 8) from the six kinds of source: anyone submits (no token; rate-limited per
 * client address as reports are) and gets a receipt number; the supervising authority in scope
 * verifies within 7 working days (the hub's default: the rules set no deadline for tips, so it
 * applies Art. 28's for reports). A confirmed tip raises a candidate violation (origin TIP) that
 * goes through the officer review of meter findings (confirmCandidate / dismissCandidate).
 */
export const tipService = {
  async submit(ctx: HubContext, input: TipInput): Promise<TipReceipt> {
    tipRateLimit.take(ctx.clientAddress ?? 'unknown');
    const content = checkTipContent(input.content);
    const tipster: Tipster = checkTipster(input.sourceKind, input);
    const evidenceRefs = checkEvidenceRefs(input.evidenceRefs);
    const occurredAt = input.occurredAt != null ? pastDate(input.occurredAt, 'occurredAt') : null;
    const code = input.creditCode?.trim().toUpperCase() ?? '';
    return withTransaction(ctx, async (ctx) => {
      const e = await findByCreditCode(ctx.db, code);
      if (!e) throw noEnterprise(code);
      // Only the authority that handles the tip enters one received earlier (on paper, by telephone).
      const { receivedAt, enteredBy } = receivedWhen(ctx, e, input.receivedAt, { zh: '线索', en: 'a tip' });
      if (occurredAt && occurredAt.getTime() > receivedAt.getTime())
        throw badInput('行为发生时间不得晚于收到时间 / occurredAt may not lie after receipt', 'occurredAt');
      const indicator = input.indicator?.trim() ? checkIndicator(ctx, input.indicator, occurredAt ?? receivedAt) : null;
      const due = await calendarService.workingDayDeadline(ctx, receivedAt, TIP_VERIFICATION_WORKING_DAYS);
      const row = requireFound(
        await insertTip(ctx.db, {
          receiptNo: tipReceiptNumber(receivedAt),
          sourceKind: input.sourceKind,
          enterpriseId: e.id,
          indicator,
          content,
          occurredAt,
          evidenceRefs,
          tipsterName: tipster.name,
          tipsterOrganisation: tipster.organisation,
          tipsterContact: tipster.contact,
          receivedAt,
          enteredBy,
          dueDate: due.dueDate,
          dueProvisional: due.provisional,
        }),
        'tip',
        code,
      );
      return { id: row.id, receiptNo: row.receiptNo, receivedAt: row.receivedAt, due: deadlineOf(row) };
    });
  },

  /** The tipster follows a tip up by its receipt number: its status and due date only. */
  async status(ctx: HubContext, receiptNo: string): Promise<TipStatusView> {
    const t = await findTipByReceipt(ctx.db, receiptNo.trim().toUpperCase());
    if (!t) throw notFound(`没有该线索回执号 / No tip with receipt number ${receiptNo}`);
    return { receiptNo: t.receiptNo, status: t.status, due: deadlineOf(t) };
  },

  /** One tip, for the supervising authority in scope (NOT_FOUND to everyone else). */
  async get(ctx: HubContext, id: string): Promise<TipRow> {
    if (!hasRole(ctx.principal, SUPERVISORS)) throw forbidden('只有水行政主管部门可以查看线索 / Only supervising water authorities read tips');
    if (!isUuid(id)) throw noTip(id);
    const t = await findTip(ctx.db, id);
    if (!t) throw noTip(id);
    if (!mayWrite(ctx.principal, await this.enterprise(ctx, t))) throw noTip(id);
    return t;
  },

  /** The tips about enterprises of the caller's jurisdiction (a supervising authority), oldest first. */
  async list(ctx: HubContext, status?: TipStatus | null, first?: number | null, after?: string | null): Promise<TipPage> {
    if (!hasRole(ctx.principal, SUPERVISORS)) throw forbidden('只有水行政主管部门可以查看线索 / Only supervising water authorities list tips');
    const n = pageSize(first, TIPS_PAGE);
    let cursor: { at: Date; id: string } | undefined;
    if (after) {
      const [at, id] = decodeCursor(after).split('|');
      if (!at || !isUuid(id ?? '') || Number.isNaN(Date.parse(at))) throw badInput('after is not a cursor returned by this query', 'after');
      cursor = { at: new Date(at), id };
    }
    const filter: TipFilter = { scope: jurisdictionPrefixes(ctx.principal), status };
    const rows = await pageTips(ctx.db, filter, n, cursor);
    return { ...toConnection(rows, n, (t) => encodeCursor(`${t.receivedAt.toISOString()}|${t.id}`)), filter };
  },

  count(ctx: HubContext, page: TipPage): Promise<number> {
    return countTips(ctx.db, page.filter);
  },

  /**
   * Verification (Art. 8) by the supervising authority in scope. CONFIRMED raises a candidate
   * violation on the indicator (the verifier's, else the tip's: one is required) for the conduct's
   * date (likewise), in the same transaction; the grade changes only when an officer confirms it.
   */
  async verify(ctx: HubContext, id: string, outcome: TipOutcome, note: string, at?: Date | null, given: VerifyTipInput = {}): Promise<TipRow> {
    const n = checkNote(note);
    return withTransaction(ctx, async (ctx) => {
      const { tip, e } = await lockTip(ctx, id);
      if (!mayWrite(ctx.principal, e)) {
        if (!inScope(ctx.principal, e)) throw noTip(id);
        throw forbidden('只有主管水行政部门可以核实线索 / Only the supervising water authority verifies a tip (Art. 8)');
      }
      checkTipVerifiable(tip.status);
      const when = stepAt(at, tip.receivedAt);
      if (outcome === 'UNFOUNDED')
        return requireFound(
          await setTipVerified(ctx.db, tip.id, { status: 'UNFOUNDED', at: when, by: ctx.principal.subject, note: n, candidateId: null, indicator: null }),
          'tip',
          id,
        );
      const occurredAt = given.occurredAt != null ? pastDate(given.occurredAt, 'occurredAt') : tip.occurredAt;
      if (!occurredAt) throw badInput('线索未说明行为发生时间，核实属实须填写 occurredAt / The tip gives no date: CONFIRMED needs occurredAt', 'occurredAt');
      if (occurredAt.getTime() > when.getTime()) throw badInput('行为发生时间不得晚于核实时间 / occurredAt may not lie after the verification', 'occurredAt');
      const code = given.indicator?.trim() || tip.indicator;
      if (!code) throw badInput('线索未说明涉及的指标，核实属实须填写 indicator / The tip names no indicator: CONFIRMED needs indicator', 'indicator');
      const indicator = checkIndicator(ctx, code, occurredAt);
      const policy = policyFor(ctx.policies, occurredAt);
      const levels = policy.indicators.find((i) => i.code === indicator)!.levels;
      const level = given.level ?? DISHONESTY_LEVELS.find((l) => levels[l] !== undefined);
      if (!level) throw badInput(`指标 ${indicator} 不是失信指标 / indicator ${indicator} has no dishonesty level`, 'indicator');
      try {
        levelScore(policy, indicator, level);
      } catch (err) {
        throw badInput((err as Error).message, 'level');
      }
      const candidate = requireFound(
        await insertTipCandidate(ctx.db, {
          enterpriseId: e.id,
          tipId: tip.id,
          indicator,
          suggestedLevel: level,
          detectedAt: occurredAt,
          // No receipt number, source or tipster: the enterprise may read its candidates.
          evidence: { title: { zh: '线索核实属实（第八条）', en: 'Verified tip (Art. 8)' }, tipId: tip.id, verifiedAt: when, finding: n },
        }),
        'candidate',
        id,
      );
      return requireFound(
        await setTipVerified(ctx.db, tip.id, {
          status: 'CONFIRMED',
          at: when,
          by: ctx.principal.subject,
          note: n,
          candidateId: candidate.id,
          indicator,
        }),
        'tip',
        id,
      );
    });
  },

  /**
   * The candidate violation a CONFIRMED tip raised: whoever reads the tip (the supervising
   * authority in scope) reads it too, as a candidate reader of that enterprise. Batched.
   */
  async candidate(ctx: HubContext, t: TipRow): Promise<CandidateRow | null> {
    if (!t.candidateId) return null;
    const e = await this.enterprise(ctx, t);
    if (!hasRole(ctx.principal, INTERNAL_READERS) || !inScope(ctx.principal, e)) return null;
    return ctx.loaders.candidate.load(t.candidateId);
  },

  /**
   * The tip a candidate of origin TIP came from: only to the supervising authority in scope of the
   * candidate's enterprise (who may read tips); null to every other candidate reader. Batched.
   */
  async ofCandidate(ctx: HubContext, c: CandidateRow): Promise<TipRow | null> {
    if (!c.tipId) return null;
    const e = await ctx.loaders.enterprise.load(c.enterpriseId);
    if (!e || !mayWrite(ctx.principal, e)) return null;
    return ctx.loaders.tip.load(c.tipId);
  },

  async enterprise(ctx: HubContext, t: TipRow): Promise<EnterpriseRow> {
    return requireFound(await ctx.loaders.enterprise.load(t.enterpriseId), 'enterprise', t.enterpriseId);
  },

  /** The tipster's identity: to the supervising authority in scope only, each read audited; null to everyone else. */
  async tipster(ctx: HubContext, t: TipRow): Promise<Tipster | null> {
    const present = t.tipsterName !== null || t.tipsterOrganisation !== null || t.tipsterContact !== null;
    if (!present) return null;
    const e = await this.enterprise(ctx, t);
    return readRestrictedIdentity(ctx, TIPSTER, t.id, e, present, () => tipsterIdentity(t));
  },

  due: deadlineOf,

  /** After a calendar year is loaded: recomputes the open verification deadlines received in it or the year before. */
  async recomputeDues(ctx: HubContext, year: number): Promise<number> {
    const [from, to] = [chinaYearBounds(year - 1).start, chinaYearBounds(year).end];
    const open = await openTipsReceivedIn(ctx.db, from, to);
    if (!open.length) return 0;
    const source = await calendarService.sourceFrom(ctx, from);
    let changed = 0;
    for (const t of open) {
      const due = workingDayDeadline(t.receivedAt, TIP_VERIFICATION_WORKING_DAYS, source);
      if (due.dueDate === t.dueDate && due.provisional === t.dueProvisional) continue;
      await setTipDue(ctx.db, t.id, due.dueDate, due.provisional);
      changed++;
    }
    return changed;
  },
};

registerDeadlineRecomputer('tip', (ctx, year) => tipService.recomputeDues(ctx, year));

/** Open tips (RECEIVED) awaiting verification: the supervising authorities' inbox (others have none). */
registerWorkSource('TIP', {
  async open(ctx, limit) {
    if (!hasRole(ctx.principal, SUPERVISORS)) return [];
    const rows = await pageTips(ctx.db, { scope: jurisdictionPrefixes(ctx.principal), status: 'RECEIVED' }, limit);
    return rows.slice(0, limit).map((t) => ({
      kind: 'TIP',
      id: t.id,
      step: 'VERIFY',
      enterpriseId: t.enterpriseId,
      openedAt: t.receivedAt,
      dueDate: t.dueDate,
      provisional: t.dueProvisional,
      summary: '线索待核实 / tip awaiting verification',
    }));
  },
  countOverdue: (db, today) => countOpenTipsDue(db, '<', today),
  countDueOn: (db, day) => countOpenTipsDue(db, '=', day),
});
