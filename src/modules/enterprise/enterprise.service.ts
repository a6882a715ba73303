import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, duplicate, forbidden, isUniqueViolation, notFound } from '../../platform/errors';
import { inScope, mayReadInternal, mayReadPersonal, mayReadRating, mayWrite } from '../../platform/auth/access.rules';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { maskIdNumber, maskName, maskPhone } from '../../platform/auth/masking.rules';
import { decodeCursor, encodeCursor } from '../../platform/sql';
import { Page, pageSize, toConnection } from '../../platform/graphql/connection';
import { EnterpriseInput } from './enterprise.input';
import { creditCodeProblem } from './credit-code.rules';
import { regionCodeProblem } from '../../platform/auth/region.rules';
import { EnterpriseFilter, EnterpriseRow, PageIncludes, countEnterprises, findByCreditCode, insertEnterprise, pageEnterprises } from './enterprise.repository';
import { regionArgument } from './region-argument';
import { SUPERVISORS, coversRegion, hasRole } from '../../platform/auth/access.rules';
import { findActiveGrant } from './result-access.repository';
import type { ResultField } from './result-access';

/** `enterprises` page size when `first` is left out or null; also the schema's default, so the cost limit prices it. */
export const ENTERPRISES_PAGE = 20;

/** `records`: the credit records behind a result (an out-of-scope grantee needs a WITH_RECORDS grant). */
export type Access = 'read' | 'rating' | 'records' | 'internal' | 'write';

/**
 * Finds an enterprise by code and checks the caller may act on it: NOT_FOUND for an
 * unknown (or malformed) code, FORBIDDEN outside the caller's jurisdiction or role.
 */
export async function requireEnterprise(ctx: HubContext, creditCode: string, access: Access, lock = false): Promise<EnterpriseRow> {
  const e = await findByCreditCode(ctx.db, creditCode.trim().toUpperCase(), lock);
  if (!e) throw notFound(`No enterprise with unified social credit code ${creditCode}. Register it first (registerEnterprise).`);
  assertAccess(ctx, e, access);
  return e;
}

export function assertAccess(ctx: HubContext, e: EnterpriseRow, access: Access): void {
  const p = ctx.principal;
  if (!inScope(p, e)) {
    // Art. 23: outside its scope a caller reads the enterprise, its result (and with WITH_RECORDS its records) through a grant only.
    const grant = ctx.resultAccess.grants.get(e.id);
    if (grant && (access === 'read' || access === 'rating' || (access === 'records' && grant.scope === 'WITH_RECORDS'))) return;
    if (grant && access === 'records')
      throw forbidden(
        `该授权仅限查询评价结果，不含信用记录 / The grant of ${e.creditCode} covers the evaluation result only, not its credit records (Art. 23).`,
      );
    throw forbidden(`Enterprise ${e.creditCode} (region ${e.regionCode}) is outside your jurisdiction.`);
  }
  if (access === 'rating' && !mayReadRating(p, e))
    throw forbidden(
      `Evaluation results of ${e.creditCode} are disclosed to the enterprise, its authorities and partner agencies only; others need its written authorisation (Art. 23).`,
    );
  if (access === 'internal' && !mayReadInternal(p, e))
    throw forbidden(`Role ${p.role} may not read internal data (meters, readings, plans, candidates) of ${e.creditCode}.`);
  if (access === 'write' && !mayWrite(p, e))
    throw forbidden(`Role ${p.role} may not change data of ${e.creditCode}; a water authority with jurisdiction over region ${e.regionCode} may.`);
}

/**
 * Notes a read of the enterprise's result for the read log (Art. 23): by anyone but the enterprise
 * itself (and not PUBLIC, which sees disclosed information only); written once per request.
 */
export function noteResultRead(ctx: HubContext, e: EnterpriseRow, field: ResultField): void {
  ctx.resultAccess.note(ctx.principal, e, field);
}

/** Personal fields of an enterprise as this caller may see them; unmasked reads are noted for the audit log. */
export function personalView(ctx: HubContext, e: EnterpriseRow) {
  const clear = mayReadPersonal(ctx.principal, e);
  const has = e.legalRepresentative || e.contactPhone || e.legalRepresentativeIdNumber;
  if (clear && has) ctx.personalDataRead.add(e.id);
  const mask = (v: string | null, f: (s: string) => string) => (v == null ? null : clear ? v : f(v));
  return {
    legalRepresentative: mask(e.legalRepresentative, maskName),
    contactPhone: mask(e.contactPhone, maskPhone),
    legalRepresentativeIdNumber: mask(e.legalRepresentativeIdNumber, maskIdNumber),
  };
}

/** Registering and listing enterprises. */
export const enterpriseService = {
  /**
   * Registers an enterprise. The unified social credit code must pass its GB 32100-2015
   * check; a PROVINCE_AUTHORITY (in scope) may register a legal early pilot code that fails it with
   * `overrideCheckCharacter` (audited with the mutation). An enterprise registered outside the
   * caller's jurisdiction (Art. 9: conduct here, registered elsewhere, even outside the city) is
   * accepted when the caller states a `conductRegionCode` of its own jurisdiction.
   */
  async register(ctx: HubContext, input: EnterpriseInput, overrideCheckCharacter = false, conductRegionCode?: string | null): Promise<EnterpriseRow> {
    const creditCode = input.creditCode.trim().toUpperCase();
    const problem = creditCodeProblem(creditCode);
    let override = false;
    if (problem?.kind === 'FORMAT') throw badInput(problem.message, 'creditCode');
    if (problem?.kind === 'CHECK') {
      if (!overrideCheckCharacter)
        throw badInput(
          `${problem.message}. A provincial authority (PROVINCE_AUTHORITY) may register a legal early pilot code with overrideCheckCharacter: true.`,
          'creditCode',
        );
      if (ctx.principal.role !== 'PROVINCE_AUTHORITY')
        throw forbidden(
          '只有省级水行政主管部门可豁免统一社会信用代码校验位 / Only a PROVINCE_AUTHORITY may override the check character of a unified social credit code.',
        );
      override = true;
    }
    const regionProblem = regionCodeProblem(input.regionCode);
    if (regionProblem) throw badInput(regionProblem, 'regionCode');
    const name = input.name.trim();
    if (!name || name.length > 200) throw badInput('name must have 1 to 200 characters', 'name');
    const prefixes = jurisdictionPrefixes(ctx.principal);
    const p = ctx.principal;
    if (!hasRole(p, SUPERVISORS)) throw forbidden(`Role ${p.role} may not register enterprises.`);
    const conduct = conductRegionCode?.trim() || null;
    if (conduct) {
      const conductProblem = regionCodeProblem(conduct);
      if (conductProblem) throw badInput(conductProblem, 'conductRegionCode');
      if (!coversRegion(p, conduct)) throw forbidden(`Conduct region ${conduct} is outside your jurisdiction (${p.regions.join(', ')}).`);
    } else if (prefixes && !prefixes.some((pre) => input.regionCode.startsWith(pre)))
      throw forbidden(
        `Region ${input.regionCode} is outside your jurisdiction (${p.regions.join(', ')}); for an enterprise registered elsewhere whose conduct lies in your jurisdiction, state conductRegionCode (Art. 9).`,
      );
    try {
      const row = await withTransaction(ctx, (ctx) =>
        insertEnterprise(ctx.db, {
          creditCode,
          name,
          regionCode: input.regionCode,
          industry: input.industry?.trim() || null,
          legalRepresentative: input.legalRepresentative?.trim() || null,
          legalRepresentativeIdNumber: input.legalRepresentativeIdNumber?.trim() || null,
          contactPhone: input.contactPhone?.trim() || null,
          checkOverride: override,
        }),
      );
      return row!;
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate(`An enterprise with unified social credit code ${creditCode} is already registered.`);
      throw e;
    }
  },

  /**
   * One enterprise. A caller outside its jurisdiction (another county's partner agency, a bank)
   * gets it only through a valid written authorisation naming it (Art. 23), which then lets it
   * read the result (and, WITH_RECORDS, the records) in this request; FORBIDDEN otherwise.
   */
  async get(ctx: HubContext, creditCode: string): Promise<EnterpriseRow | null> {
    const e = await findByCreditCode(ctx.db, creditCode.trim().toUpperCase());
    if (!e) return null;
    if (!inScope(ctx.principal, e) && !ctx.resultAccess.grants.has(e.id)) {
      const grant = await findActiveGrant(ctx.db, e.id, ctx.principal);
      if (grant) ctx.resultAccess.grants.set(e.id, grant);
    }
    assertAccess(ctx, e, 'read');
    return e;
  },

  /**
   * A page in credit-code order, filtered by the caller's jurisdiction, a region and the
   * current grade. `include` names the children the request selected, fetched in the same
   * statement. The connection carries its filter so `totalCount` is counted only when asked.
   */
  async list(
    ctx: HubContext,
    args: { regionCode?: string | null; grade?: string | null; first?: number | null; after?: string | null },
    include: PageIncludes = {},
  ): Promise<EnterprisePage> {
    const first = pageSize(args.first, ENTERPRISES_PAGE);
    const regionPrefix = regionArgument(args.regionCode);
    const p = ctx.principal;
    if (args.grade && p.role === 'PUBLIC') throw forbidden('Filtering by grade discloses evaluation results (Art. 23): it needs a token.');
    const filter: EnterpriseFilter = {
      scope: jurisdictionPrefixes(p),
      onlyCreditCode: p.role === 'ENTERPRISE' ? p.creditCode : undefined,
      regionPrefix,
      grade: args.grade ?? undefined,
    };
    const after = args.after ? decodeCursor(args.after) : undefined;
    if (after !== undefined && !/^[0-9A-Z]{18}$/.test(after)) throw badInput('after is not a cursor returned by this query (pageInfo.endCursor)', 'after');
    const page = await pageEnterprises(ctx.db, filter, first, after, include);
    const connection = toConnection(page, first, (e) => encodeCursor(e.creditCode));
    if (include.readLog) for (const { node } of connection.edges) ctx.resultAccess.written.set(node.id, include.readLog.fields);
    // Partial rows (a plain selection) are never primed: a later load in this request must get whole rows.
    if (!include.only) for (const { node } of connection.edges) ctx.loaders.enterprise.prime(node.id, node);
    return { ...connection, filter };
  },

  /** How many enterprises match a page's filter (the filter `list` built, so the caller's jurisdiction applies). */
  count(ctx: HubContext, page: EnterprisePage): Promise<number> {
    return countEnterprises(ctx.db, page.filter);
  },
};

export interface EnterprisePage extends Page<EnterpriseRow> {
  /** For `totalCount`, resolved only when selected. */
  filter: EnterpriseFilter;
}
