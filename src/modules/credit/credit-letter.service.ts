import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { coversRegion, SUPERVISORS, hasRole } from '../../platform/auth/access.rules';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { decodeCursor, encodeCursor } from '../../platform/sql';
import { Page, pageSize, toConnection } from '../../platform/graphql/connection';
import { isUuid, requireFound } from '../../platform/checks';
import { CreditLetterRow, LetterFilter, countCreditLetters, findCreditLetter, markCreditLetterRead, pageCreditLetters } from './credit-letter.repository';
import type { CreditRecordRow } from './credit-record.repository';
import { creditRecordService } from './credit-record.service';
import { authorityNameZh } from './provenance.rules';
import type { LetterDirection } from '../graphql-enums';
// Its open work joins the inboxes whenever the service is loaded (API, workers, jobs, tests).
import './credit-letter.work';

/** `creditLetters` page size when `first` is left out or null; also the schema's default. */
export const LETTERS_PAGE = 20;

/**
 * Art. 9 letters (函告) between water authorities: who reads them and marks them read. Letters
 * are written by {@link determineIn} with the record, never on their own.
 */
export const creditLetterService = {
  /** The caller's letters, newest first: INCOMING to regions of its jurisdiction, OUTGOING from them. */
  async list(ctx: HubContext, direction: LetterDirection, first?: number | null, after?: string | null): Promise<LetterPage> {
    const p = ctx.principal;
    if (!hasRole(p, SUPERVISORS)) throw forbidden(`Role ${p.role} may not read letters between water authorities (函告).`);
    const n = pageSize(first, LETTERS_PAGE);
    let cursor: { at: Date; id: string } | undefined;
    if (after) {
      const [at, id] = decodeCursor(after).split('|');
      if (!at || !isUuid(id ?? '') || Number.isNaN(Date.parse(at))) throw badInput('after is not a cursor returned by this query', 'after');
      cursor = { at: new Date(at), id };
    }
    const filter: LetterFilter = { direction, scope: jurisdictionPrefixes(p) };
    const rows = await pageCreditLetters(ctx.db, filter, n, cursor);
    return { ...toConnection(rows, n, (l) => encodeCursor(`${l.sentAt.toISOString()}|${l.id}`)), filter };
  },

  /** How many letters match a page's filter (the caller's jurisdiction applies); counted only when selected. */
  count(ctx: HubContext, page: LetterPage): Promise<number> {
    return countCreditLetters(ctx.db, page.filter);
  },

  /** `CreditRecord.letters`: to whoever may read the record's internal facts; FORBIDDEN to others. */
  async ofRecord(ctx: HubContext, r: CreditRecordRow): Promise<CreditLetterRow[]> {
    if (!(await creditRecordService.mayReadInternal(ctx, r))) throw forbidden('Letters between authorities (函告) are internal.');
    return ctx.loaders.letters.load(r.id);
  },

  /** The recipient's authority acknowledges a letter (read_at, who); again is a no-op that keeps the first reading. */
  async acknowledge(ctx: HubContext, id: string): Promise<CreditLetterRow> {
    if (!isUuid(id)) throw notFound(`No credit letter ${id}`);
    return withTransaction(ctx, async (ctx) => {
      const l = requireFound(await findCreditLetter(ctx.db, id, true), 'credit letter', id);
      if (!hasRole(ctx.principal, SUPERVISORS) || !coversRegion(ctx.principal, l.toRegionCode))
        throw forbidden(`只有收函单位可确认已阅 / Only ${authorityNameZh(l.toRegionCode)} (region ${l.toRegionCode}) may acknowledge this letter.`);
      return requireFound(await markCreditLetterRead(ctx.db, id, ctx.principal.subject), 'credit letter', id);
    });
  },

  /** The record a letter is about, as its recipient and sender may read it. */
  record(ctx: HubContext, l: CreditLetterRow): Promise<CreditRecordRow> {
    return creditRecordService.get(ctx, l.recordId);
  },

  fromAuthority(l: CreditLetterRow) {
    return { regionCode: l.fromRegionCode, kind: l.fromAuthorityKind, nameZh: authorityNameZh(l.fromRegionCode) };
  },

  toAuthority(l: CreditLetterRow) {
    return { regionCode: l.toRegionCode, kind: l.toAuthorityKind, nameZh: authorityNameZh(l.toRegionCode) };
  },
};

export interface LetterPage extends Page<CreditLetterRow> {
  /** For `totalCount`, resolved only when selected. */
  filter: LetterFilter;
}
