import { withTransaction } from '../../platform/context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { isUuid, requireFound } from '../../platform/checks';
import { hasRole, inScope, mayWrite, SUPERVISORS } from '../../platform/auth/access.rules';
import { RestrictedKind, readRestrictedIdentity } from '../intake/restricted-identity';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { chinaYearBounds } from '../../platform/china-time';
import { decodeCursor, encodeCursor } from '../../platform/sql';
import { Page, pageSize, toConnection } from '../../platform/graphql/connection';
import type { HubContext } from '../context';
import { registerDeadlineRecomputer } from '../deadlines';
import { EnterpriseRow, findByCreditCode, lockEnterpriseById } from '../enterprise/enterprise.repository';
import { findCreditRecord } from '../credit/credit-record.repository';
import { receivedWhen } from '../intake/received-at';
import { changeStatusIn } from '../credit/credit-record.service';
import { ratingService } from '../rating/rating.service';
import { calendarService } from '../calendar/calendar.service';
import { workingDayDeadline } from '../calendar/working-days.rules';
import type { Deadline } from '../calendar/working-days.rules';
import { stepAt } from '../repair/repair.rules';
import {
  FalseInfoReportRow,
  ReportFilter,
  countReports,
  findReport,
  findReportByReceipt,
  insertReport,
  openReportsReceivedIn,
  pageReports,
  setReportDue,
  setReportVerified,
  reporterIdentity,
} from './report.repository';
import {
  CONTACT_MAX,
  NAME_MAX,
  REPORT_VERIFICATION_WORKING_DAYS,
  RateLimiter,
  ReportOutcome,
  ReportStatus,
  checkContent,
  checkNote,
  checkOptional,
  checkVerifiable,
  receiptNumber,
} from './report.rules';
// Its open work joins the inboxes whenever the service is loaded (API, workers, jobs, tests).
import './report.work';

export interface ReportInput {
  creditCode: string;
  recordId?: string | null;
  content: string;
  reporterName?: string | null;
  reporterContact?: string | null;
  /** A report received on paper or by telephone, entered later by the supervising authority in scope: when it arrived. */
  receivedAt?: Date | null;
}

export interface Receipt {
  id: string;
  receiptNo: string;
  receivedAt: Date;
  due: Deadline;
}

export interface ReportStatusView {
  receiptNo: string;
  status: ReportStatus;
  due: Deadline;
}

export interface ReportPage extends Page<FalseInfoReportRow> {
  /** For `totalCount`, resolved only when selected. */
  filter: ReportFilter;
}

/** `reports` page size when `first` is left out or null; also the schema's default. */
export const REPORTS_PAGE = 20;

/** Per client address: 5 reports per 10 minutes (this process). */
export const reportRateLimit = new RateLimiter();

const noReport = (id: string) => notFound(`没有该举报 / No report ${id}`);
const noEnterprise = (code: string) => notFound(`没有该企业 / No enterprise ${code}`);

/** A reporter's identity: restricted (src/modules/intake/restricted-identity.ts), each read audited as readReporterIdentity. */
const REPORTER: RestrictedKind = { action: 'readReporterIdentity', targetType: 'false_info_report', idsKey: 'reportIds' };

/** The report and its enterprise, locked enterprise first (as every change that re-grades it). */
async function lockReport(ctx: HubContext, id: string): Promise<{ report: FalseInfoReportRow; e: EnterpriseRow }> {
  if (!isUuid(id)) throw noReport(id);
  const found = await findReport(ctx.db, id);
  if (!found) throw noReport(id);
  const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
  return { report: requireFound(await findReport(ctx.db, id, true), 'report', id), e };
}

const deadlineOf = (r: FalseInfoReportRow): Deadline => ({ dueDate: r.dueDate, provisional: r.dueProvisional });

/**
 * Reports of false credit information (举报, Art. 28): anyone submits (no token; rate-limited per
 * client address) and gets a receipt number; the supervising authority in scope verifies within
 * 7 working days. A confirmed report revokes the record it names and re-grades, in one transaction.
 */
export const reportService = {
  async submit(ctx: HubContext, input: ReportInput): Promise<Receipt> {
    reportRateLimit.take(ctx.clientAddress ?? 'unknown');
    const content = checkContent(input.content);
    const reporterName = checkOptional(input.reporterName, 'reporterName', NAME_MAX);
    const reporterContact = checkOptional(input.reporterContact, 'reporterContact', CONTACT_MAX);
    const code = input.creditCode?.trim().toUpperCase() ?? '';
    if (input.recordId != null && !isUuid(input.recordId)) throw notFound(`没有该信用记录 / No credit record ${input.recordId}`);
    return withTransaction(ctx, async (ctx) => {
      const e = await findByCreditCode(ctx.db, code);
      if (!e) throw noEnterprise(code);
      if (input.recordId != null) {
        const r = await findCreditRecord(ctx.db, input.recordId);
        if (!r || r.enterpriseId !== e.id) throw badInput(`该信用记录不属于企业 ${code} / The record is not one of ${code}`, 'recordId');
      }
      // Only the authority that handles the report enters one received earlier (on paper, by telephone).
      const { receivedAt, enteredBy } = receivedWhen(ctx, e, input.receivedAt, { zh: '举报', en: 'a report' });
      const due = await calendarService.workingDayDeadline(ctx, receivedAt, REPORT_VERIFICATION_WORKING_DAYS);
      const row = requireFound(
        await insertReport(ctx.db, {
          receiptNo: receiptNumber(receivedAt),
          enterpriseId: e.id,
          recordId: input.recordId ?? null,
          content,
          reporterName,
          reporterContact,
          receivedAt,
          enteredBy,
          dueDate: due.dueDate,
          dueProvisional: due.provisional,
        }),
        'report',
        code,
      );
      return { id: row.id, receiptNo: row.receiptNo, receivedAt: row.receivedAt, due: deadlineOf(row) };
    });
  },

  /** The reporter follows a report up by its receipt number: its status and due date only. */
  async status(ctx: HubContext, receiptNo: string): Promise<ReportStatusView> {
    const r = await findReportByReceipt(ctx.db, receiptNo.trim().toUpperCase());
    if (!r) throw notFound(`没有该举报回执号 / No report with receipt number ${receiptNo}`);
    return { receiptNo: r.receiptNo, status: r.status, due: deadlineOf(r) };
  },

  /** The reports about enterprises of the caller's jurisdiction (a supervising authority), oldest first. */
  async list(ctx: HubContext, status?: ReportStatus | null, first?: number | null, after?: string | null): Promise<ReportPage> {
    if (!hasRole(ctx.principal, SUPERVISORS)) throw forbidden('只有水行政主管部门可以查看举报 / Only supervising water authorities list reports');
    const n = pageSize(first, REPORTS_PAGE);
    let cursor: { at: Date; id: string } | undefined;
    if (after) {
      const [at, id] = decodeCursor(after).split('|');
      if (!at || !isUuid(id ?? '') || Number.isNaN(Date.parse(at))) throw badInput('after is not a cursor returned by this query', 'after');
      cursor = { at: new Date(at), id };
    }
    const filter: ReportFilter = { scope: jurisdictionPrefixes(ctx.principal), status };
    const rows = await pageReports(ctx.db, filter, n, cursor);
    return { ...toConnection(rows, n, (r) => encodeCursor(`${r.receivedAt.toISOString()}|${r.id}`)), filter };
  },

  /** How many reports match a page's filter (the caller's jurisdiction applies); counted only when selected. */
  count(ctx: HubContext, page: ReportPage): Promise<number> {
    return countReports(ctx.db, page.filter);
  },

  /** Verification (Art. 28) by the supervising authority in scope; CONFIRMED revokes the named record and re-grades. */
  async verify(ctx: HubContext, id: string, outcome: ReportOutcome, note: string, at?: Date | null): Promise<FalseInfoReportRow> {
    const n = checkNote(note);
    return withTransaction(ctx, async (ctx) => {
      const { report, e } = await lockReport(ctx, id);
      if (!mayWrite(ctx.principal, e)) {
        if (!inScope(ctx.principal, e)) throw noReport(id);
        throw forbidden('只有主管水行政部门可以核查举报 / Only the supervising water authority verifies a report (Art. 28)');
      }
      checkVerifiable(report.status);
      const when = stepAt(at, report.receivedAt);
      const verified = requireFound(await setReportVerified(ctx.db, report.id, outcome, when, ctx.principal.subject, n), 'report', id);
      if (outcome === 'CONFIRMED' && report.recordId) {
        const record = requireFound(await findCreditRecord(ctx.db, report.recordId, true), 'credit record', report.recordId);
        if (record.status === 'REVOKED') throw badInput('该信用记录已撤销 / The record is already REVOKED', 'id');
        await changeStatusIn(ctx, e, record, 'REVOKED', `举报核实，信息不实（第二十八条）/ report ${report.id} confirmed: false information (Art. 28): ${n}`, {
          kind: 'REPORT',
          id: report.id,
          at: when,
        });
        await ratingService.reevaluateIn(ctx, e);
      }
      return verified;
    });
  },

  async enterprise(ctx: HubContext, r: FalseInfoReportRow): Promise<EnterpriseRow> {
    return requireFound(await ctx.loaders.enterprise.load(r.enterpriseId), 'enterprise', r.enterpriseId);
  },

  /** The reporter's identity: to the supervising authority in scope only, each read audited; null to everyone else. */
  async reporter(ctx: HubContext, r: FalseInfoReportRow): Promise<{ name: string | null; contact: string | null } | null> {
    if (r.reporterName === null && r.reporterContact === null) return null;
    const e = await this.enterprise(ctx, r);
    return readRestrictedIdentity(ctx, REPORTER, r.id, e, true, () => reporterIdentity(r));
  },

  due: deadlineOf,

  /** After a calendar year is loaded: recomputes the open verification deadlines received in it or the year before. */
  async recomputeDues(ctx: HubContext, year: number): Promise<number> {
    const [from, to] = [chinaYearBounds(year - 1).start, chinaYearBounds(year).end];
    const open = await openReportsReceivedIn(ctx.db, from, to);
    if (!open.length) return 0;
    const source = await calendarService.sourceFrom(ctx, from);
    let changed = 0;
    for (const r of open) {
      const due = workingDayDeadline(r.receivedAt, REPORT_VERIFICATION_WORKING_DAYS, source);
      if (due.dueDate === r.dueDate && due.provisional === r.dueProvisional) continue;
      await setReportDue(ctx.db, r.id, due.dueDate, due.provisional);
      changed++;
    }
    return changed;
  },
};

registerDeadlineRecomputer('false_info_report', (ctx, year) => reportService.recomputeDues(ctx, year));
