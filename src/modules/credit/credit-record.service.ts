import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { DishonestyInput, HonorInput, ProvenanceInput } from './credit-record.input';
import { assertAccess, requireEnterprise } from '../enterprise/enterprise.service';
import { EnterpriseRow, findByCreditCode, lockEnterpriseById } from '../enterprise/enterprise.repository';
import { policyFor } from '../policy/credit-policy';
import type { DishonestyLevel } from '../policy/credit-policy';
import { ratingService } from '../rating/rating.service';
import { isPenaltyRevocation, levelScore } from './credit.rules';
import { findPermit } from '../permit/permit.repository';
import { CreditRecordRow, NewCreditRecord, findCreditRecord, insertCreditRecord, setCreditRecordStatus } from './credit-record.repository';
import { isUuid, notInFuture, requireFound } from '../../platform/checks';
import { inScope, mayDetermine, mayReadRecordInternal } from '../../platform/auth/access.rules';
import { regionCodeProblem } from '../../platform/auth/region.rules';
import {
  authorityKindOf,
  authorityNameZh,
  awardedByGovernment,
  defaultPublicSummary,
  determiningRegion,
  letterText,
  needsLetter,
  publicSummaryProblem,
} from './provenance.rules';
import { insertCreditLetter } from './credit-letter.repository';
import { StatusCause, runDeterminationHooks, runStatusHooks } from './determination-hooks';

/** What a caller gives {@link determineIn}: the record without what the hub derives (enterprise, officer, determining authority). */
export type DeterminedRecord = Omit<
  NewCreditRecord,
  'enterpriseId' | 'determinedBy' | 'determiningRegionCode' | 'determiningAuthorityKind' | 'publicSummary'
> & {
  /** Checked by the caller ({@link checkProvenance}); null: generated from indicator, level and date. */
  publicSummary: string | null;
};

/** The honor fields of a dishonesty record: none. */
export const NOT_AN_HONOR = {
  honorCategory: null,
  awardingBody: null,
  awardingBodyKind: null,
  awardedByGovernment: null,
  awardDocumentNo: null,
  recognitionDocumentNo: null,
} as const satisfies Partial<DeterminedRecord>;

/** A stored record, and the Art. 9 letter it sent (for the audit entry). */
export type DeterminedRow = CreditRecordRow & { letterId: string | null; letterSent: boolean };

const indicatorNameZh = (ctx: HubContext, indicator: string, at: Date) =>
  policyFor(ctx.policies, at).indicators.find((i) => i.code === indicator)?.nameZh ?? indicator;

/**
 * The one way a record's status changes (ACTIVE → REPAIRED / REVOKED, or back to ACTIVE), inside the
 * caller's transaction with the enterprise locked: updates the status with its reason and runs the
 * status hooks (the platform push of the change: src/modules/filing). The caller re-grades.
 */
export async function changeStatusIn(
  ctx: HubContext,
  e: EnterpriseRow,
  record: CreditRecordRow,
  status: CreditRecordRow['status'],
  reason: string,
  cause: StatusCause,
): Promise<CreditRecordRow> {
  const updated = requireFound(await setCreditRecordStatus(ctx.db, record.id, status, reason), 'credit record', record.id);
  await runStatusHooks(ctx, e, updated, record.status, cause);
  return updated;
}

/**
 * Stores a determined record for the locked enterprise `e` and re-grades it, inside the
 * caller's transaction (`ctx` is the transaction's): the one path of a typed record
 * (recordDishonesty, recordHonor) and a confirmed candidate. The determining authority is the
 * caller's jurisdiction covering the conduct region (Art. 7, 9); when the conduct lies outside
 * the registration region's jurisdiction, a letter (函告) to that region's authority is stored
 * in the same transaction.
 */
export async function determineIn(ctx: HubContext, e: EnterpriseRow, record: DeterminedRecord): Promise<DeterminedRow> {
  const p = ctx.principal;
  const conduct = record.conductRegionCode;
  const region = mayDetermine(p, e, conduct) ? determiningRegion(p.role === 'SYSTEM' ? [] : p.regions, conduct) : null;
  if (!region)
    throw forbidden(
      `无权认定：行为地 ${conduct} 不在您的管辖范围内（第七条、第九条） / Conduct region ${conduct} is outside your jurisdiction (${p.regions.join(', ') || p.role}); the authority where the conduct happened determines (Art. 9).`,
    );
  const summary =
    record.publicSummary ??
    defaultPublicSummary(
      record.kind === 'HONOR'
        ? { kind: 'HONOR', title: record.title ?? '', honorLevel: record.honorLevel!, occurredAt: record.occurredAt }
        : {
            kind: 'DISHONESTY',
            indicator: record.indicator!,
            indicatorNameZh: indicatorNameZh(ctx, record.indicator!, record.occurredAt),
            level: record.level!,
            occurredAt: record.occurredAt,
            sourceAct: record.sourceAct,
          },
    );
  const stored = requireFound(
    await insertCreditRecord(ctx.db, {
      ...record,
      publicSummary: summary,
      enterpriseId: e.id,
      determinedBy: p.subject,
      determiningRegionCode: region,
      determiningAuthorityKind: authorityKindOf(region),
    }),
    'credit record',
    e.id,
  );
  let letterId: string | null = null;
  if (stored.kind === 'DISHONESTY' && needsLetter(conduct, e.regionCode)) {
    const text = letterText({
      enterpriseName: e.name,
      creditCode: e.creditCode,
      registrationRegion: e.regionCode,
      conductRegion: conduct,
      fromRegion: region,
      indicator: stored.indicator!,
      indicatorNameZh: indicatorNameZh(ctx, stored.indicator!, stored.occurredAt),
      level: stored.level!,
      occurredAt: stored.occurredAt,
      determinedAt: stored.determinedAt,
      sourceAct: stored.sourceAct,
      sourceDocumentNo: stored.sourceDocumentNo,
    });
    const letter = await insertCreditLetter(ctx.db, {
      recordId: stored.id,
      fromRegionCode: region,
      fromAuthorityKind: authorityKindOf(region),
      toRegionCode: e.regionCode,
      toAuthorityKind: authorityKindOf(e.regionCode),
      subject: text.subject,
      body: text.body,
      sentAt: new Date(),
    });
    letterId = letter?.id ?? null;
  }
  // Art. 7: filed with the next level up and queued for the city credit platform (src/modules/filing registers it).
  await runDeterminationHooks(ctx, e, stored);
  await ratingService.reevaluateIn(ctx, e);
  return { ...stored, letterId, letterSent: letterId !== null };
}

/**
 * The provenance facts a caller gave, checked (BAD_USER_INPUT naming the field): the
 * determination date (default now; never in the future, never before the conduct), the source
 * act (default OTHER) and its document number, and a public summary free of personal data.
 */
export function checkProvenance(
  e: EnterpriseRow,
  occurredAt: Date,
  given: ProvenanceInput | null | undefined,
): Pick<DeterminedRecord, 'determinedAt' | 'sourceAct' | 'sourceDocumentNo' | 'publicSummary'> {
  const determinedAt = given?.determinedAt ?? new Date();
  notInFuture(determinedAt, 'determinedAt');
  if (determinedAt.getTime() < occurredAt.getTime())
    throw badInput('认定日期不得早于行为发生日期 / determinedAt may not lie before occurredAt (the conduct)', 'determinedAt');
  const sourceDocumentNo = given?.sourceDocumentNo?.trim() || null;
  if (sourceDocumentNo && sourceDocumentNo.length > 100)
    throw badInput('文书编号不得超过100字 / sourceDocumentNo may have at most 100 characters', 'sourceDocumentNo');
  const publicSummary = given?.publicSummary?.trim() || null;
  const problem = publicSummary && publicSummaryProblem(publicSummary, [e.legalRepresentative]);
  if (problem) throw badInput(problem, 'publicSummary');
  return { determinedAt, sourceAct: given?.sourceAct ?? 'OTHER', sourceDocumentNo, publicSummary };
}

/** The legal basis of a determination: required (Art. 7, 11); the contract keeps the argument nullable, so the hub refuses it here. */
export function requireBasis(basis: string | null | undefined): string {
  const b = basis?.trim();
  if (!b) throw badInput('认定依据必填：请填写所依据的法律法规条款或裁量基准 / basis (the legal basis / benchmark applied) is required', 'basis');
  if (b.length > 1000) throw badInput('认定依据不得超过1000字 / basis may have at most 1000 characters', 'basis');
  return b;
}

/** The id of `e`'s permit `permitNo` revoked as a penalty (吊销, not annulled): the revocation a dishonesty record carries. */
async function carriedRevocation(ctx: HubContext, e: EnterpriseRow, permitNo: string): Promise<string> {
  const permit = await findPermit(ctx.db, permitNo);
  if (!permit || permit.enterpriseId !== e.id)
    throw badInput(`企业 ${e.creditCode} 没有取水许可证 ${permitNo} / Enterprise ${e.creditCode} has no permit ${permitNo}`, 'permitNo');
  if (!isPenaltyRevocation(permit))
    throw badInput(
      `取水许可证 ${permitNo} 未被吊销（或吊销已被撤销） / Permit ${permitNo} was not revoked as a penalty (吊销), or the revocation was annulled`,
      'permitNo',
    );
  return permit.id;
}

/**
 * An indicator and level as the policy in force when the conduct happened knows them (or today's,
 * for older conduct): the trimmed code, or BAD_USER_INPUT on `indicator` / `level`.
 */
function checkIndicatorLevel(ctx: HubContext, given: string, level: DishonestyLevel, occurredAt: Date): string {
  const policy = policyFor(ctx.policies, occurredAt);
  const indicator = given.trim();
  if (!policy.indicators.some((i) => i.code === indicator))
    throw badInput(`Unknown indicator ${indicator}; policy ${policy.version} has ${policy.indicators.map((i) => i.code).join(', ')}.`, 'indicator');
  try {
    levelScore(policy, indicator, level);
  } catch (e) {
    throw badInput(
      `${(e as Error).message}: choose ${Object.keys(policy.indicators.find((i) => i.code === indicator)!.levels)
        .filter((l) => l !== 'TRUSTWORTHY')
        .join(', ')}`,
      'level',
    );
  }
  return indicator;
}

/** What an upheld objection corrects in a dishonesty record (facts wrong, Art. 26); what is not given stays. */
export interface RecordCorrection {
  indicator?: string | null;
  level?: DishonestyLevel | null;
  occurredAt?: Date | null;
}

/**
 * Corrects a dishonesty record (更正) inside the caller's transaction: the wrong record is revoked
 * with `reason` (`cause` names the step) and the corrected one determined at `at` by the caller, with the old
 * record's basis, description, provenance and conduct region and the corrected facts (its public
 * summary generated again), through the one determination path (filing, platform push, Art. 9
 * letter). The caller re-grades. BAD_USER_INPUT when the correction changes nothing or is invalid.
 */
export async function correctIn(
  ctx: HubContext,
  e: EnterpriseRow,
  record: CreditRecordRow,
  correction: RecordCorrection,
  reason: string,
  cause: StatusCause,
): Promise<DeterminedRow> {
  if (record.kind !== 'DISHONESTY') throw badInput('只有失信记录可以更正 / Only a dishonesty record can be corrected', 'correction');
  const occurredAt = correction.occurredAt ?? record.occurredAt;
  notInFuture(occurredAt, 'correction.occurredAt');
  if (occurredAt.getTime() > cause.at.getTime())
    throw badInput('更正后的行为日期不得晚于更正决定 / The corrected occurredAt may not lie after the decision', 'correction.occurredAt');
  const level = correction.level ?? record.level!;
  const indicator = checkIndicatorLevel(ctx, correction.indicator ?? record.indicator!, level, occurredAt);
  if (indicator === record.indicator && level === record.level && occurredAt.getTime() === record.occurredAt.getTime())
    throw badInput('更正内容与原记录相同 / The correction changes nothing: give the corrected indicator, level or occurredAt', 'correction');
  await changeStatusIn(ctx, e, record, 'REVOKED', reason, cause);
  return determineIn(ctx, e, {
    kind: 'DISHONESTY',
    indicator,
    level,
    honorLevel: null,
    title: null,
    description: record.description,
    occurredAt,
    basis: record.basis,
    caseId: record.caseId,
    permitId: record.permitId,
    conductRegionCode: record.conductRegionCode,
    determinedAt: cause.at,
    sourceAct: record.sourceAct,
    sourceDocumentNo: record.sourceDocumentNo,
    publicSummary: null,
    ...NOT_AN_HONOR,
  });
}

/** Determining credit records (Art. 9–11); each change re-grades the enterprise in the same transaction. */
export const creditRecordService = {
  async recordDishonesty(ctx: HubContext, input: DishonestyInput): Promise<DeterminedRow> {
    notInFuture(input.occurredAt, 'occurredAt');
    const basis = requireBasis(input.basis);
    const indicator = checkIndicatorLevel(ctx, input.indicator, input.level, input.occurredAt);
    const conductGiven = input.conductRegionCode?.trim() || null;
    const regionProblem = conductGiven && regionCodeProblem(conductGiven);
    if (regionProblem) throw badInput(regionProblem, 'conductRegionCode');
    return withTransaction(ctx, async (ctx) => {
      const code = input.creditCode.trim().toUpperCase();
      const e = await findByCreditCode(ctx.db, code, true);
      if (!e) throw notFound(`No enterprise with unified social credit code ${input.creditCode}. Register it first (registerEnterprise).`);
      const conductRegionCode = conductGiven ?? e.regionCode;
      if (!conductGiven && !inScope(ctx.principal, e))
        throw forbidden(
          `企业 ${e.creditCode} 注册地 ${e.regionCode} 不在您的管辖范围内；行为发生在您辖区的，请填写 conductRegionCode（第九条） / Enterprise ${e.creditCode} (region ${e.regionCode}) is outside your jurisdiction; for conduct in your jurisdiction state conductRegionCode (Art. 9).`,
        );
      const permitId = input.permitNo?.trim() ? await carriedRevocation(ctx, e, input.permitNo.trim()) : null;
      return determineIn(ctx, e, {
        kind: 'DISHONESTY',
        indicator,
        level: input.level,
        honorLevel: null,
        title: null,
        description: input.description?.trim() || null,
        occurredAt: input.occurredAt,
        basis,
        caseId: null,
        permitId,
        conductRegionCode,
        ...checkProvenance(e, input.occurredAt, input),
        ...NOT_AN_HONOR,
      });
    });
  },

  async recordHonor(ctx: HubContext, input: HonorInput): Promise<DeterminedRow> {
    notInFuture(input.awardedAt, 'awardedAt');
    const title = input.title.trim();
    if (!title) throw badInput('title must not be empty', 'title');
    const text = (v: string | null | undefined, field: string, max: number) => {
      const t = v?.trim() || null;
      if (t && t.length > max) throw badInput(`${field} may have at most ${max} characters`, field);
      return t;
    };
    const awardingBody = text(input.awardingBody, 'awardingBody', 200);
    const awardDocumentNo = text(input.awardDocumentNo, 'awardDocumentNo', 100);
    const recognitionDocumentNo = text(input.recognitionDocumentNo, 'recognitionDocumentNo', 100);
    if (input.category === 'OTHER_RECOGNISED' && !recognitionDocumentNo)
      throw badInput(
        '其他节水荣誉须经水行政主管部门认定：请填写认定文件编号（第十条第（三）项） / OTHER_RECOGNISED needs the water authority’s recognition decision (recognitionDocumentNo, Art. 10(3))',
        'recognitionDocumentNo',
      );
    return withTransaction(ctx, async (ctx) => {
      const e = await requireEnterprise(ctx, input.creditCode, 'write', true);
      return determineIn(ctx, e, {
        kind: 'HONOR',
        indicator: null,
        level: null,
        honorLevel: input.level,
        title,
        description: null,
        occurredAt: input.awardedAt,
        basis: null,
        caseId: null,
        determinedAt: new Date(),
        sourceAct: 'OTHER',
        sourceDocumentNo: null,
        conductRegionCode: e.regionCode,
        publicSummary: null,
        honorCategory: input.category ?? null,
        awardingBody,
        awardingBodyKind: input.awardingBodyKind ?? null,
        awardedByGovernment: awardedByGovernment(input.awardingBodyKind),
        awardDocumentNo,
        recognitionDocumentNo,
      });
    });
  },

  /** Marks a record REPAIRED (approved repair), REVOKED (upheld objection) or ACTIVE again, with a reason. */
  async setStatus(ctx: HubContext, id: string, status: CreditRecordRow['status'], reason: string): Promise<CreditRecordRow> {
    if (!reason.trim()) throw badInput('reason is required (Art. 29: every change states why)', 'reason');
    if (!isUuid(id)) throw notFound(`No credit record ${id}`);
    return withTransaction(ctx, async (ctx) => {
      const found = requireFound(await findCreditRecord(ctx.db, id), 'credit record', id);
      const e = requireFound(await lockEnterpriseById(ctx.db, found.enterpriseId), 'enterprise', found.enterpriseId);
      assertAccess(ctx, e, 'write');
      const record = requireFound(await findCreditRecord(ctx.db, id, true), 'credit record', id);
      if (record.status === status) throw badInput(`Credit record ${id} is already ${status}`, 'status');
      if (record.kind === 'HONOR' && status === 'REPAIRED') throw badInput('An honor cannot be REPAIRED; revoke it (REVOKED) or restore it (ACTIVE)', 'status');
      const updated = await changeStatusIn(ctx, e, record, status, reason.trim(), { kind: 'OFFICER', id: null, at: new Date() });
      await ratingService.reevaluateIn(ctx, e);
      return updated;
    });
  },

  /**
   * `creditRecord(id)`: NOT_FOUND for an unknown id; an ACTIVE record to whoever may see its
   * enterprise (disclosed information), any record to whoever may read its internal facts
   * (the enterprise's authorities and the enterprise, and the conduct region's authority that
   * determined it: Art. 9); FORBIDDEN otherwise.
   */
  async get(ctx: HubContext, id: string): Promise<CreditRecordRow> {
    if (!isUuid(id)) throw notFound(`No credit record ${id}`);
    const r = requireFound(await ctx.loaders.record.load(id), 'credit record', id);
    const e = requireFound(await ctx.loaders.enterprise.load(r.enterpriseId), 'enterprise', r.enterpriseId);
    if (mayReadRecordInternal(ctx.principal, e, r)) return r;
    if (inScope(ctx.principal, e) && r.status === 'ACTIVE') return r;
    throw forbidden(`无权查看该信用记录 / Credit record ${id} is not disclosed to you (outside your jurisdiction, or not active).`);
  },

  /** Whether the caller may see the record's internal facts (description, officer, letters); one batched enterprise load. */
  async mayReadInternal(ctx: HubContext, r: CreditRecordRow): Promise<boolean> {
    const e = await ctx.loaders.enterprise.load(r.enterpriseId);
    return !!e && mayReadRecordInternal(ctx.principal, e, r);
  },

  /** The internal description: null for the public and anyone else who may not read internal data (they see publicSummary). */
  async description(ctx: HubContext, r: CreditRecordRow): Promise<string | null> {
    return (await this.mayReadInternal(ctx, r)) ? r.description : null;
  },

  /** The officer (token subject) who determined it: internal, like the description (Art. 7: the public sees the authority). */
  async determinedBy(ctx: HubContext, r: CreditRecordRow): Promise<string | null> {
    return (await this.mayReadInternal(ctx, r)) ? r.determinedBy : null;
  },

  /** The stored public summary, or for rows from before summaries existed the one the hub generates. */
  publicSummary(ctx: HubContext, r: CreditRecordRow): string {
    if (r.publicSummary) return r.publicSummary;
    if (r.kind === 'HONOR') return defaultPublicSummary({ kind: 'HONOR', title: r.title ?? '', honorLevel: r.honorLevel!, occurredAt: r.occurredAt });
    return defaultPublicSummary({
      kind: 'DISHONESTY',
      indicator: r.indicator!,
      indicatorNameZh: indicatorNameZh(ctx, r.indicator!, r.occurredAt),
      level: r.level!,
      occurredAt: r.occurredAt,
      sourceAct: r.sourceAct,
    });
  },

  /** The determining authority, as the public sees it. */
  determiningAuthority(r: CreditRecordRow) {
    return { regionCode: r.determiningRegionCode, kind: r.determiningAuthorityKind, nameZh: authorityNameZh(r.determiningRegionCode) };
  },
};
