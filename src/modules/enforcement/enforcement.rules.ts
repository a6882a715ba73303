/**
 * The enforcement module's pure helpers: the fine's payment period, the instants of a day
 * (deadlines are whole China days), and the facts of a stored case as
 * `credit/enforcement.rules.ts` reads them.
 */
import { CHINA_OFFSET_MS, DAY_MS } from '../../platform/china-time';
import type { CaseFacts } from '../credit/enforcement.rules';

/** 行政处罚法 第六十七条: a fine is paid within fifteen days of service (calendar days; a last day off rolls to the next working day). */
export const FINE_PAYMENT_DAYS = 15;

/** Whether `day` is a real date `YYYY-MM-DD` in the years the calendar covers. */
export function isDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  const year = Number(day.slice(0, 4));
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day && year >= 1901 && year <= 2099;
}

/** The first instant after the China day `day` (`YYYY-MM-DD`): a deadline on that day has passed from then on. */
export function afterDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS + DAY_MS);
}

/** What the rules need of a stored notice. */
export interface NoticeLike {
  noticeNo: string;
  issuedAt: Date;
  deadlineDate: string;
  compliedAt: Date | null;
}

/** What the rules need of a stored fine. */
export interface FineLike {
  decisionNo: string;
  servedAt: Date;
  dueDate: string;
  paidAt: Date | null;
}

/** A stored case with its notices (in issuing order) and fines, as the pure rules read it. */
export function toCaseFacts(c: { id: string; caseNo: string; indicator: string }, notices: readonly NoticeLike[], fines: readonly FineLike[]): CaseFacts {
  return {
    caseId: c.id,
    caseNo: c.caseNo,
    indicator: c.indicator,
    notices: notices.map((n) => ({ noticeNo: n.noticeNo, issuedAt: n.issuedAt, deadline: afterDay(n.deadlineDate), compliedAt: n.compliedAt })),
    fines: fines.map((f) => ({ decisionNo: f.decisionNo, servedAt: f.servedAt, dueAt: afterDay(f.dueDate), paidAt: f.paidAt })),
  };
}
