import { badInput, forbidden, notFound } from '../../platform/errors';
import { isUuid, requireFound } from '../../platform/checks';
import { withTransaction } from '../../platform/context';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { chinaYearBounds } from '../../platform/china-time';
import type { HubContext } from '../context';
import { registerDeadlineRecomputer } from '../deadlines';
import { calendarService } from '../calendar/calendar.service';
import { workingDayDeadline } from '../calendar/working-days.rules';
import type { Deadline } from '../calendar/working-days.rules';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import type { CreditRecordRow } from '../credit/credit-record.repository';
import { authorityKindOf, authorityNameZh } from '../credit/provenance.rules';
import { onDetermined, onStatusChanged } from '../credit/determination-hooks';
import { FilingRow, findFiling, insertFiling, listFilings, openFilingsDeterminedIn, setFilingAcknowledged, setFilingDue } from './filing.repository';
import { FILING_WORKING_DAYS, FilingState, acknowledgedAt, chinaDay, filedWithRegion, isLate, mayAcknowledge, maySeeFiling } from './filing.rules';
import { platformDocument, platformPushService, statusChangeDocument } from './platform-push.service';
// Its open work joins the inboxes whenever the service is loaded (API, workers, jobs, tests).
import './filing.work';

export const FILINGS_PAGE = 50;
const noFiling = (id: string) => notFound(`没有该备案 / No filing ${id}`);

/**
 * Filing upward (备案, Art. 7) and the platform push: every determination, and every approved
 * repair decision, is filed with the next level up (due 7 working days after it, on the official
 * calendar) and queued for the city credit platform, in the transaction that made it.
 */
export const filingService = {
  /**
   * Files `record` (just determined, or just repaired when `repair` is given) with the level above its
   * determining authority and queues its platform push, inside the caller's transaction. A
   * province's determination has no level above it in the hub: pushed, not filed.
   */
  async fileIn(ctx: HubContext, e: EnterpriseRow, record: CreditRecordRow, repair?: { id: string; decidedAt: Date }): Promise<FilingRow | null> {
    const kind = repair ? 'REPAIR_DECISION' : 'DETERMINATION';
    const from = record.determiningRegionCode;
    const filedWith = filedWithRegion(from);
    const at = repair?.decidedAt ?? record.determinedAt;
    let filing: FilingRow | null = null;
    if (filedWith) {
      const due = await calendarService.workingDayDeadline(ctx, at, FILING_WORKING_DAYS);
      filing = requireFound(
        await insertFiling(ctx.db, {
          subjectKind: kind,
          recordId: record.id,
          repairId: repair?.id ?? null,
          enterpriseId: e.id,
          fromRegionCode: from,
          filedWithRegionCode: filedWith,
          determinedAt: at,
          dueDate: due.dueDate,
          dueProvisional: due.provisional,
        }),
        'filing',
        record.id,
      );
    }
    await platformPushService.queueIn(
      ctx,
      kind,
      record.id,
      repair?.id ?? null,
      platformDocument(kind, e, record, repair ? { repairId: repair.id, decidedAt: repair.decidedAt } : {}),
    );
    return filing;
  },

  /** The upper level acknowledges a filing (at: default now; never in the future, never before the determination). */
  async acknowledge(ctx: HubContext, id: string, at?: Date | null): Promise<FilingRow> {
    if (!isUuid(id)) throw noFiling(id);
    return withTransaction(ctx, async (ctx) => {
      const f = await findFiling(ctx.db, id, true);
      if (!f || !maySeeFiling(ctx.principal, f)) throw noFiling(id);
      if (!mayAcknowledge(ctx.principal, f.filedWithRegionCode))
        throw forbidden(
          `备案须由上一级水行政主管部门（${authorityNameZh(f.filedWithRegionCode)}）确认收到（第七条） / Only the authority filed with (${f.filedWithRegionCode}) may acknowledge a filing (Art. 7)`,
        );
      if (f.acknowledgedAt) throw badInput(`该备案已于 ${f.acknowledgedAt.toISOString()} 确认 / The filing was acknowledged already`, 'id');
      const when = acknowledgedAt(at, f.determinedAt);
      return requireFound(await setFilingAcknowledged(ctx.db, f.id, when, ctx.principal.subject, isLate(f.dueDate, when)), 'filing', id);
    });
  },

  /** Filings of the caller's jurisdiction (filed with it or determined by it), the earliest due first. */
  list(ctx: HubContext, state: FilingState | null | undefined, first?: number | null): Promise<FilingRow[]> {
    const limit = Math.min(Math.max(first ?? FILINGS_PAGE, 0), 500);
    const p = ctx.principal;
    if (!['PROVINCE_AUTHORITY', 'CITY_AUTHORITY', 'COUNTY_AUTHORITY', 'CREDIT_AUTHORITY'].includes(p.role)) return Promise.resolve([]);
    return listFilings(ctx.db, { prefixes: jurisdictionPrefixes(p), state: state ?? null, today: chinaDay(new Date()), limit });
  },

  /** A record's determination filing, or null (FORBIDDEN to whoever may not read its internal facts: the resolver checks). */
  ofRecord(ctx: HubContext, r: CreditRecordRow): Promise<FilingRow | null> {
    return ctx.loaders.filing.load(r.id);
  },

  due(f: FilingRow): Deadline {
    return { dueDate: f.dueDate, provisional: f.dueProvisional };
  },

  /** Whether the filing is open past its due date (China time today). */
  overdue(f: FilingRow, now = new Date()): boolean {
    return f.acknowledgedAt === null && chinaDay(now) > f.dueDate;
  },

  authority(regionCode: string) {
    return { regionCode, kind: authorityKindOf(regionCode), nameZh: authorityNameZh(regionCode) };
  },

  /** After a calendar year is loaded: recomputes the open filing deadlines determined in it or the year before. */
  async recomputeDues(ctx: HubContext, year: number): Promise<number> {
    const [from, to] = [chinaYearBounds(year - 1).start, chinaYearBounds(year).end];
    const open = await openFilingsDeterminedIn(ctx.db, from, to);
    if (!open.length) return 0;
    const source = await calendarService.sourceFrom(ctx, from);
    let changed = 0;
    for (const f of open) {
      const due = workingDayDeadline(f.determinedAt, FILING_WORKING_DAYS, source);
      if (due.dueDate === f.dueDate && due.provisional === f.dueProvisional) continue;
      await setFilingDue(ctx.db, f.id, due.dueDate, due.provisional);
      changed++;
    }
    return changed;
  },
};

onDetermined('filing', async (ctx, e, record) => {
  await filingService.fileIn(ctx, e, record);
});
// A revocation (or a restoration) reaches the platform as a status change; an approved repair is
// pushed once, as its decision (fileIn from repairService.decide: the document says REPAIRED and
// names the repair), so a REPAIR cause pushes nothing more here.
onStatusChanged('platform-push', async (ctx, e, record, previous, cause) => {
  if (cause.kind === 'REPAIR') return;
  await platformPushService.queueIn(ctx, 'STATUS_CHANGE', record.id, null, statusChangeDocument(e, record, previous, cause));
});
registerDeadlineRecomputer('credit_filing', (ctx, year) => filingService.recomputeDues(ctx, year));
