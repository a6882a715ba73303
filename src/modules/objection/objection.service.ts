import { withTransaction } from '../../platform/context';
import { badInput, duplicate, forbidden, isUniqueViolation, notFound } from '../../platform/errors';
import { isUuid, requireFound } from '../../platform/checks';
import { inScope, mayWrite } from '../../platform/auth/access.rules';
import { chinaYearBounds } from '../../platform/china-time';
import type { HubContext } from '../context';
import { registerDeadlineRecomputer } from '../deadlines';
import type { ObjectionOutcome, ObjectionReceiver } from '../graphql-enums';
import { EnterpriseRow, findByCreditCode, lockEnterpriseById } from '../enterprise/enterprise.repository';
import { assertAccess } from '../enterprise/enterprise.service';
import { CreditRecordRow, findCreditRecord } from '../credit/credit-record.repository';
import { RecordCorrection, changeStatusIn, correctIn } from '../credit/credit-record.service';
import { ratingsByIds } from '../rating/rating.repository';
import { ratingService } from '../rating/rating.service';
import { calendarService } from '../calendar/calendar.service';
import { workingDayDeadline } from '../calendar/working-days.rules';
import type { Deadline } from '../calendar/working-days.rules';
import {
  ObjectionRow,
  findObjection,
  insertObjection,
  openObjectionOf,
  openObjectionsReceivedIn,
  setObjectionDecided,
  setObjectionDue,
  setObjectionRouted,
} from './objection.repository';
import { OBJECTION_COMPARISON_WORKING_DAYS, RECEIPT, checkObjectionStep, checkReason, checkStatement, stepAt } from './objection.rules';
// Its open work joins the inboxes whenever the service is loaded (API, workers, jobs, tests).
import './objection.work';

export interface FileObjection {
  creditCode: string;
  recordId?: string | null;
  ratingId?: string | null;
  statement: string;
  receivedBy: ObjectionReceiver;
  at?: Date | null;
}

const noObjection = (id: string) => notFound(`没有该异议 / No objection ${id}`);
const noRecord = (id: string) => notFound(`没有该信用记录 / No credit record ${id}`);
const OPEN_ALREADY = '已有针对该信用记录（或评价结果）的异议正在处理 / An objection against this record (or rating) is already being handled';

/** The objection and its enterprise, locked in that order (enterprise first, as every change that re-grades it does). */
async function lockObjection(ctx: HubContext, id: string): Promise<{ o: ObjectionRow; e: EnterpriseRow }> {
  if (!isUuid(id)) throw noObjection(id);
  const found = await findObjection(ctx.db, id);
  if (!found) throw noObjection(id);
  const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
  const o = requireFound(await findObjection(ctx.db, id, true), 'objection', id);
  return { o, e };
}

/** The enterprise itself, its supervising authority in scope, or the credit authority in scope (which receives objections too) may file. */
function mayFile(ctx: HubContext, e: EnterpriseRow): boolean {
  const p = ctx.principal;
  return (p.role === 'ENTERPRISE' && p.creditCode === e.creditCode) || mayWrite(p, e) || (p.role === 'CREDIT_AUTHORITY' && inScope(p, e));
}

/**
 * Objections (异议, Art. 26): filed with the evaluating body or the credit authority (routed to
 * the evaluating body), compared within 5 working days of the first receipt, decided by the
 * supervising authority: FACTS_WRONG revokes the record, DATA_INCOMPLETE re-grades, REJECTED
 * states why. Each step is one transaction that locks the enterprise; a refused step stores nothing.
 */
export const objectionService = {
  async file(ctx: HubContext, input: FileObjection): Promise<ObjectionRow> {
    const statement = checkStatement(input.statement);
    if (input.recordId != null && !isUuid(input.recordId)) throw noRecord(input.recordId);
    if (input.ratingId != null && !isUuid(input.ratingId)) throw notFound(`没有该评价结果 / No rating ${input.ratingId}`);
    if (input.recordId != null && input.ratingId != null)
      throw badInput('异议针对一条信用记录或评价结果，二者择一 / An objection disputes either a record or the rating, not both', 'ratingId');
    return withTransaction(ctx, async (ctx) => {
      const e = requireFound(await findByCreditCode(ctx.db, input.creditCode, true), 'enterprise', input.creditCode);
      if (!mayFile(ctx, e))
        throw forbidden(
          `无权提出异议：仅企业本身或其主管水行政部门、信用主管部门可以代为提出（第二十六条） / Only the enterprise itself, or an authority in scope for it, may file an objection (Art. 26)`,
        );
      let record: CreditRecordRow | null = null;
      let ratingId: string | null = null;
      let notBefore: Date;
      if (input.recordId != null) {
        record = requireFound(await findCreditRecord(ctx.db, input.recordId, true), 'credit record', input.recordId);
        if (record.enterpriseId !== e.id) throw noRecord(input.recordId);
        if (record.status !== 'ACTIVE')
          throw badInput(`该信用记录状态为 ${record.status}，不能提出异议 / The record is ${record.status}; only an ACTIVE record can be disputed`, 'recordId');
        notBefore = record.determinedAt;
      } else {
        ratingId = input.ratingId ?? e.currentRatingId;
        if (!ratingId) throw badInput('该企业尚无评价结果，无从提出异议 / The enterprise has no rating to dispute', 'ratingId');
        if (ratingId !== e.currentRatingId) throw badInput('只能对当前评价结果提出异议 / Only the current rating can be disputed', 'ratingId');
        const [rating] = await ratingsByIds(ctx.db, [ratingId]);
        notBefore = requireFound(rating, 'rating', ratingId).evaluatedAt;
      }
      const at = stepAt(input.at, notBefore, RECEIPT);
      if (await openObjectionOf(ctx.db, e.id, record?.id ?? null)) throw duplicate(OPEN_ALREADY);
      const due = await calendarService.workingDayDeadline(ctx, at, OBJECTION_COMPARISON_WORKING_DAYS);
      try {
        return requireFound(
          await insertObjection(ctx.db, {
            enterpriseId: e.id,
            recordId: record?.id ?? null,
            ratingId,
            statement,
            receivedBy: input.receivedBy,
            receivedAt: at,
            filedBy: ctx.principal.subject,
            dueDate: due.dueDate,
            dueProvisional: due.provisional,
          }),
          'objection',
          e.creditCode,
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicate(OPEN_ALREADY);
        throw err;
      }
    });
  },

  /** The credit authority routes an objection it received to the evaluating body; the deadline keeps running from the first receipt. */
  async route(ctx: HubContext, id: string, at?: Date | null): Promise<ObjectionRow> {
    return withTransaction(ctx, async (ctx) => {
      const { o, e } = await lockObjection(ctx, id);
      const p = ctx.principal;
      if (!((p.role === 'CREDIT_AUTHORITY' && inScope(p, e)) || mayWrite(p, e)))
        throw forbidden('无权转交该异议 / Only the credit authority (or the water authority) in scope routes an objection');
      checkObjectionStep('route', o);
      const when = stepAt(at, o.receivedAt);
      return requireFound(await setObjectionRouted(ctx.db, o.id, when, p.subject), 'objection', id);
    });
  },

  async decide(
    ctx: HubContext,
    id: string,
    outcome: ObjectionOutcome,
    reason: string,
    at?: Date | null,
    correction?: RecordCorrection | null,
  ): Promise<ObjectionRow> {
    const r = checkReason(reason);
    if (correction && outcome !== 'FACTS_WRONG')
      throw badInput('只有“事实有误”的处理可以更正记录 / Only a FACTS_WRONG decision corrects the record', 'correction');
    return withTransaction(ctx, async (ctx) => {
      const { o, e } = await lockObjection(ctx, id);
      if (!mayWrite(ctx.principal, e))
        throw forbidden(
          '无权处理该异议：由主管水行政部门核查比对并作出处理（第二十六条） / Only the supervising water authority in scope decides an objection (Art. 26)',
        );
      checkObjectionStep('decide', o, outcome);
      const when = stepAt(at, o.routedAt ?? o.receivedAt);
      let correctedId: string | null = null;
      if (outcome === 'FACTS_WRONG') {
        const record = requireFound(await findCreditRecord(ctx.db, o.recordId!, true), 'credit record', o.recordId!);
        if (record.status !== 'ACTIVE')
          throw badInput(
            `该信用记录状态已为 ${record.status}，不能撤销 / The record is ${record.status} already; only an ACTIVE record can be revoked`,
            'outcome',
          );
        const cause = { kind: 'OBJECTION' as const, id: o.id, at: when };
        // Corrected (更正): the wrong record revoked and the corrected one determined; else revoked only.
        if (correction)
          correctedId = (
            await correctIn(
              ctx,
              e,
              record,
              correction,
              `异议成立，事实有误，予以更正（第二十六条）/ objection ${o.id} upheld, facts wrong, corrected (Art. 26): ${r}`,
              cause,
            )
          ).id;
        else await changeStatusIn(ctx, e, record, 'REVOKED', `异议成立，事实有误（第二十六条）/ objection ${o.id} upheld, facts wrong (Art. 26): ${r}`, cause);
      }
      const decided = requireFound(await setObjectionDecided(ctx.db, o.id, outcome, r, when, ctx.principal.subject, correctedId), 'objection', id);
      if (outcome !== 'REJECTED') await ratingService.reevaluateIn(ctx, e);
      return decided;
    });
  },

  /** One objection: internal data (NOT_FOUND for an unknown id, FORBIDDEN to whoever may not read the enterprise's internal data). */
  async get(ctx: HubContext, id: string): Promise<ObjectionRow> {
    if (!isUuid(id)) throw noObjection(id);
    const o = (await ctx.loaders.objection.load(id)) ?? null;
    if (!o) throw noObjection(id);
    assertAccess(ctx, requireFound(await ctx.loaders.enterprise.load(o.enterpriseId), 'enterprise', o.enterpriseId), 'internal');
    return o;
  },

  /** An enterprise's objections, oldest first: internal data. */
  ofEnterprise(ctx: HubContext, e: EnterpriseRow): Promise<ObjectionRow[]> {
    assertAccess(ctx, e, 'internal');
    return ctx.loaders.enterpriseObjections.load(e.id);
  },

  /** 异议处理中: whether the record has an open objection (shown to whoever may see the record). */
  async pending(ctx: HubContext, r: { id: string }): Promise<boolean> {
    return (await ctx.loaders.openObjectionOfRecord.load(r.id)) !== null;
  },

  async record(ctx: HubContext, o: ObjectionRow): Promise<CreditRecordRow | null> {
    return o.recordId ? requireFound(await ctx.loaders.record.load(o.recordId), 'credit record', o.recordId) : null;
  },

  /** The record that replaced the disputed one, when the decision corrected it. */
  async correctedRecord(ctx: HubContext, o: ObjectionRow): Promise<CreditRecordRow | null> {
    return o.correctedRecordId ? requireFound(await ctx.loaders.record.load(o.correctedRecordId), 'credit record', o.correctedRecordId) : null;
  },

  due(o: ObjectionRow): Deadline {
    return { dueDate: o.dueDate, provisional: o.dueProvisional };
  },

  /** After a calendar year is loaded: recomputes the open comparison deadlines received in it or the year before. */
  async recomputeDues(ctx: HubContext, year: number): Promise<number> {
    const [from, to] = [chinaYearBounds(year - 1).start, chinaYearBounds(year).end];
    const open = await openObjectionsReceivedIn(ctx.db, from, to);
    if (!open.length) return 0;
    const source = await calendarService.sourceFrom(ctx, from);
    let changed = 0;
    for (const o of open) {
      const due = workingDayDeadline(o.receivedAt, OBJECTION_COMPARISON_WORKING_DAYS, source);
      if (due.dueDate === o.dueDate && due.provisional === o.dueProvisional) continue;
      await setObjectionDue(ctx.db, o.id, due.dueDate, due.provisional);
      changed++;
    }
    return changed;
  },
};

registerDeadlineRecomputer('objection', (ctx, year) => objectionService.recomputeDues(ctx, year));
