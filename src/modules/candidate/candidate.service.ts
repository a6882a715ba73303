import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { decodeCursor, encodeCursor } from '../../platform/sql';
import { pageSize, toConnection } from '../../platform/graphql/connection';
import { levelScore } from '../credit/credit.rules';
import type { CreditRecordRow } from '../credit/credit-record.repository';
import { checkProvenance, determineIn, requireBasis, NOT_AN_HONOR } from '../credit/credit-record.service';
import type { ProvenanceInput } from '../credit/credit-record.input';
import { lockEnterpriseById } from '../enterprise/enterprise.repository';
import { assertAccess } from '../enterprise/enterprise.service';
import { DishonestyLevel, policyFor } from '../policy/credit-policy';
import { CandidateFilter, CandidateRow, countCandidates, findCandidate, pageCandidates, resolveCandidate } from './candidate.repository';
import { isUuid, requireFound } from '../../platform/checks';
import { KIND_TITLES } from '../detection/detection.rules';
import { regionArgument } from '../enterprise/region-argument';
import { INTERNAL_READERS, SUPERVISORS, hasRole } from '../../platform/auth/access.rules';

/** Only an authority of the place where the conduct happened decides (Art. 7, 9). */
const DECIDERS = SUPERVISORS;

/** Locks an OPEN candidate and the enterprise it concerns, checking the caller may decide it. */
async function openCandidate(ctx: HubContext, id: string): Promise<CandidateRow> {
  if (!isUuid(id)) throw notFound(`No candidate violation ${id}`);
  const found = await findCandidate(ctx.db, id);
  if (!found) throw notFound(`No candidate violation ${id}`);
  const e = (await lockEnterpriseById(ctx.db, found.enterpriseId))!;
  if (!hasRole(ctx.principal, DECIDERS)) throw forbidden(`Role ${ctx.principal.role} may not decide candidate violations.`);
  assertAccess(ctx, e, 'write');
  const c = (await findCandidate(ctx.db, id, true))!;
  if (c.status !== 'OPEN') throw badInput(`Candidate ${id} is already ${c.status}`, 'id');
  return c;
}

/** Officer review of candidate violations: only confirmation turns meter data into a credit record. */
/** `candidateViolations` page size when `first` is left out or null; also the schema's default, so the cost limit prices it. */
export const CANDIDATES_PAGE = 50;

export const candidateService = {
  /**
   * Confirms a candidate into a dishonesty record on its indicator (level defaults to the
   * suggestion), in the same transaction, and re-grades the enterprise.
   */
  async confirm(
    ctx: HubContext,
    id: string,
    basisGiven: string,
    level?: DishonestyLevel | null,
    provenance?: ProvenanceInput | null,
  ): Promise<CreditRecordRow> {
    const basis = requireBasis(basisGiven);
    return withTransaction(ctx, async (ctx) => {
      const c = await openCandidate(ctx, id);
      const chosen = level ?? c.suggestedLevel;
      const policy = policyFor(ctx.policies, c.detectedAt);
      try {
        levelScore(policy, c.indicator, chosen);
      } catch (e) {
        throw badInput((e as Error).message, 'level');
      }
      const e = requireFound(await lockEnterpriseById(ctx.db, c.enterpriseId), 'enterprise', c.enterpriseId);
      const record = await determineIn(ctx, e, {
        kind: 'DISHONESTY',
        indicator: c.indicator,
        level: chosen,
        honorLevel: null,
        title: null,
        description:
          c.kind === 'TIP'
            ? `由线索核实确认（第八条，线索 ${c.tipId}，候选 ${c.id}） / Confirmed candidate ${c.id} from verified tip ${c.tipId} (Art. 8)`
            : `由检测候选确认：${KIND_TITLES[c.kind].zh}（${c.kind}，候选 ${c.id}） / Confirmed candidate ${c.kind} ${c.id}: ${KIND_TITLES[c.kind].en}`,
        occurredAt: c.detectedAt,
        basis,
        caseId: null,
        // Meter findings are the enterprise's own premises: conduct in its registration region; a tip is
        // verified by the authority of that region too (tip.service.ts), so the same holds.
        conductRegionCode: e.regionCode,
        ...checkProvenance(e, c.detectedAt, { ...provenance, sourceAct: provenance?.sourceAct ?? 'ADMINISTRATIVE_INSPECTION' }),
        ...NOT_AN_HONOR,
      });
      await resolveCandidate(ctx.db, c.id, { status: 'CONFIRMED', note: basis, creditRecordId: record.id, by: ctx.principal.subject });
      return record;
    });
  },

  async dismiss(ctx: HubContext, id: string, reason: string): Promise<CandidateRow> {
    if (!reason?.trim()) throw badInput('reason is required to dismiss a candidate', 'reason');
    return withTransaction(ctx, async (ctx) => {
      const c = await openCandidate(ctx, id);
      return (await resolveCandidate(ctx.db, c.id, { status: 'DISMISSED', note: reason.trim(), creditRecordId: null, by: ctx.principal.subject }))!;
    });
  },

  /** `candidateViolations`: filtered by the caller's jurisdiction, newest first. */
  async list(
    ctx: HubContext,
    args: { status?: string | null; kind?: string | null; regionCode?: string | null; first?: number | null; after?: string | null },
  ) {
    const first = pageSize(args.first, CANDIDATES_PAGE);
    const p = ctx.principal;
    if (!hasRole(p, INTERNAL_READERS)) throw forbidden(`Role ${p.role} may not read candidate violations.`);
    const regionPrefix = regionArgument(args.regionCode);
    let after: { at: Date; id: string } | undefined;
    if (args.after) {
      const [at, cid] = decodeCursor(args.after).split('|');
      if (!at || !isUuid(cid ?? '') || Number.isNaN(Date.parse(at))) throw badInput('after is not a cursor returned by this query', 'after');
      after = { at: new Date(at), id: cid };
    }
    const filter: CandidateFilter = {
      scope: jurisdictionPrefixes(p),
      onlyCreditCode: p.role === 'ENTERPRISE' ? p.creditCode : undefined,
      status: args.status ?? undefined,
      kind: args.kind ?? undefined,
      regionPrefix,
    };
    const page = await pageCandidates(ctx.db, filter, first, after);
    return { ...toConnection(page, first, (c) => encodeCursor(`${c.detectedAt.toISOString()}|${c.id}`)), filter };
  },

  count(ctx: HubContext, filter: CandidateFilter) {
    return countCandidates(ctx.db, filter);
  },
};
