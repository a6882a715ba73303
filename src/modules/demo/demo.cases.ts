/**
 * The demo's enforcement cases, pure: a few in flight on enterprises graded B (a notice whose
 * deadline is still running, one complied with in time, a fine paid late after a complied
 * notice: none of them changes a grade) and one that becomes direct D (three notices missed in
 * a row, the fine not paid in time, on an indicator of areas 1, 2 or 5). Dates follow `asOf`
 * and the policy's period; the fine's due date is the calendar's (15 days, rolled to a working day).
 */
import { randomUUID } from 'node:crypto';
import { chinaDateString } from '../../platform/china-time';
import { calendarDayDeadline } from '../calendar/working-days.rules';
import type { CaseFacts } from '../credit/enforcement.rules';
import { FINE_PAYMENT_DAYS, toCaseFacts } from '../enforcement/enforcement.rules';
import type { CreditPolicy } from '../policy/credit-policy';
import { DAY, Rng, pad } from './demo.random';
import type { Ent } from './demo.generate';

export interface DemoNotice {
  id: string;
  noticeNo: string;
  issuedAt: Date;
  deadlineDate: string;
  compliedAt: Date | null;
}
export interface DemoFine {
  id: string;
  decisionNo: string;
  amount: number;
  servedAt: Date;
  dueDate: string;
  dueProvisional: boolean;
  paidAt: Date | null;
}
export interface DemoCase {
  id: string;
  enterpriseId: string;
  indicator: string;
  caseNo: string;
  regionCode: string;
  openedAt: Date;
  openedBy: string;
  notices: DemoNotice[];
  fines: DemoFine[];
}

/** The cases, or none when the policy's period has run for too short a time before `asOf` to hold them. */
export function makeCases(rng: Rng, policy: CreditPolicy, ents: Ent[], asOf: Date): DemoCase[] {
  const span = Math.min(120 * DAY, asOf.getTime() - policy.periodStart.getTime() - DAY);
  const bs = ents.filter((e) => e.target === 'B');
  if (span < 60 * DAY || bs.length < 4) return [];
  const year = chinaDateString(asOf).slice(0, 4);
  let no = 0;
  /** An instant `days` days before asOf, at 10:00 China time. */
  const at = (days: number) => new Date(Date.parse(`${chinaDateString(new Date(asOf.getTime() - days * DAY))}T10:00:00+08:00`));
  const day = (days: number) => chinaDateString(new Date(asOf.getTime() - days * DAY));
  const make = (e: Ent, indicator: string, openedDaysAgo: number): DemoCase => ({
    id: randomUUID(),
    enterpriseId: e.id,
    indicator,
    caseNo: `承水执〔${year}〕${pad(++no, 3)}号`,
    regionCode: e.region,
    openedAt: at(openedDaysAgo),
    openedBy: `officer:${e.region}-${pad(rng.int(1, 6), 2)}`,
    notices: [],
    fines: [],
  });
  const notice = (c: DemoCase, issued: number, due: number, complied: number | null) =>
    c.notices.push({
      id: randomUUID(),
      noticeNo: `${c.caseNo.replace('执', '责改').replace('号', '')}-${c.notices.length + 1}号`,
      issuedAt: at(issued),
      deadlineDate: day(due),
      compliedAt: complied === null ? null : at(complied),
    });
  const fine = (c: DemoCase, served: number, paid: number | null) => {
    const servedAt = at(served);
    const due = calendarDayDeadline(servedAt, FINE_PAYMENT_DAYS);
    c.fines.push({
      id: randomUUID(),
      decisionNo: `承水罚〔${year}〕${pad(no, 3)}号`,
      amount: rng.int(2, 30) * 1000,
      servedAt,
      dueDate: due.dueDate,
      dueProvisional: due.provisional,
      paidAt: paid === null ? null : at(paid),
    });
  };
  const s = span / DAY; // days of history available, 60 to 120
  const pick = () => rng.pick(policy.indicators).code;
  const pending = make(bs[0], pick(), 6);
  notice(pending, 5, -10, null); // deadline ten days ahead
  const complied = make(bs[1], pick(), Math.round(s * 0.5));
  notice(complied, Math.round(s * 0.45), Math.round(s * 0.3), Math.round(s * 0.35));
  const paidLate = make(bs[2], pick(), Math.round(s * 0.9));
  notice(paidLate, Math.round(s * 0.85), Math.round(s * 0.75), Math.round(s * 0.78));
  fine(paidLate, Math.round(s * 0.7), 3); // due some 15 days after service, paid days ago
  const out = [pending, complied, paidLate];
  const dInds = policy.indicators.filter((i) => policy.directGrading.dAreas.includes(i.area));
  if (dInds.length) {
    const d = make(bs[3], rng.pick(dInds).code, Math.round(s * 0.95));
    notice(d, Math.round(s * 0.9), Math.round(s * 0.8), null);
    notice(d, Math.round(s * 0.75), Math.round(s * 0.65), null);
    notice(d, Math.round(s * 0.6), Math.round(s * 0.5), null);
    fine(d, Math.round(s * 0.45), null);
    out.push(d);
  }
  return out;
}

/** The cases of each enterprise as the credit engine reads them. */
export function caseFactsByEnterprise(cases: DemoCase[]): Map<string, CaseFacts[]> {
  const out = new Map<string, CaseFacts[]>();
  for (const c of cases) out.set(c.enterpriseId, [...(out.get(c.enterpriseId) ?? []), toCaseFacts(c, c.notices, c.fines)]);
  return out;
}
