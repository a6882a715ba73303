import { SLOT, PERMIT_FROM_YEAR, PERMIT_TO_YEAR, Rng, pad, roundTo, groupBy } from './demo.random';
import { Permit, Meter, makeEnterprises, makeMeters, makeRecords } from './demo.generate';
import { seedReadings, seedSimulatorSource } from './demo.readings';
import { caseFactsByEnterprise, makeCases } from './demo.cases';
import { relocateConduct } from './demo.letters';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../platform/db';
import { EnginePermit, evaluate } from '../credit/credit.rules';
import { CreditPolicy, Grade, policyFor, policyInForce } from '../policy/credit-policy';
import { chinaYear, chinaYearBounds } from '../../platform/china-time';
import { insertRows, lockForSeeding, setCurrentRatings } from './demo.repository';
import { seal } from '../../platform/crypto/keyring';
import { CTX } from '../keys/encrypted-columns';
import { idNumberHash } from '../enterprise/enterprise.repository';

export interface SeedOptions {
  enterprises: number;
  /** Days of 15-minute readings up to `now` for every online meter; 0 skips readings (benchmarks). */
  readingDays: number;
  /** PRNG seed: the same seed, size and `now` give the same data set (ids excepted). */
  seed?: number;
  now?: Date;
}

export interface SeedSummary {
  enterprises: number;
  permits: number;
  plans: number;
  meters: number;
  readings: number;
  records: number;
  /** Enforcement cases (a few in flight, one direct D). */
  enforcementCases: number;
  ratings: number;
  grades: Record<'A' | 'B' | 'C' | 'D', number>;
  /** The policy the ratings were computed under, and their asOf (`now`, or the policy's last instant once it has ended). */
  policyVersion: string;
  asOf: string;
}

/**
 * Seeds a realistic Chengde data set: enterprises across the 11 county-level divisions, one
 * permit valid from three years before `now`'s year to two after, plans for last year and
 * this, 1–4 meters each with `readingDays` of 15-minute readings (a few
 * meters silent, rolled back, stuck or spiking), credit records that yield every grade under
 * the policy in force at `now`, and a stored rating per enterprise from the pure engine. Every
 * date follows `now` and the policy. When no policy is in force (the last one has ended),
 * records and ratings are those of the last policy as of its final instant.
 * Everything is set-based (`unnest` multi-row inserts) inside one transaction, and the seed
 * gives the event loop a turn after each statement: PGlite runs in this thread, so without
 * that `/health` could not answer (503, starting) while the seed runs.
 * Idempotent guard: does nothing (returns null) if the enterprise table is not empty.
 *
 * @example await seedDemo(db, loadPolicies(), { enterprises: 200, readingDays: 21 })
 */
export async function seedDemo(db: Database, policies: CreditPolicy[], opts: SeedOptions): Promise<SeedSummary | null> {
  const now = opts.now ?? new Date();
  // Graded under the policy in force; when none is (the last one ended), under the last one as of its final instant.
  const policy = policyFor(policies, now, now);
  if (now < policy.inForceFrom) throw new RangeError(`no credit policy has begun by ${now.toISOString()}`);
  const asOf = policyInForce(policies, now) ? now : new Date(policy.inForceUntil.getTime() - 1);
  // Permits and plans follow the graded instant, so records never precede a permit's term.
  const year = chinaYear(asOf);
  if (!Number.isInteger(opts.enterprises) || opts.enterprises < 0) throw new RangeError('enterprises must be a non-negative integer');
  if (!Number.isInteger(opts.readingDays) || opts.readingDays < 0) throw new RangeError('readingDays must be a non-negative integer');
  const seed = opts.seed ?? 20231018;
  const rng = new Rng(seed);

  const ents = makeEnterprises(rng, opts.enterprises);
  const permits: Permit[] = [];
  const plans: { enterpriseId: string; year: number; volume: number }[] = [];
  const meters: Meter[] = [];
  let permitSeq = 0;
  for (const e of ents) {
    permitSeq += rng.int(1, 3);
    permits.push({
      id: randomUUID(),
      enterpriseId: e.id,
      permitNo: `取水(冀承)字[${PERMIT_FROM_YEAR(year)}]第${pad(permitSeq, 4)}号`,
      quota: e.quota,
      revokedAt: null,
      reason: null,
    });
    for (const y of [year - 1, year]) plans.push({ enterpriseId: e.id, year: y, volume: roundTo(e.quota * rng.between(0.85, 0.97), 100) });
    meters.push(...makeMeters(rng, e, now));
  }
  const records = makeRecords(rng, policy, ents, permits, asOf);
  const cases = makeCases(new Rng(seed ^ 0x5eed), policy, ents, asOf);
  const letters = relocateConduct(records, ents, policy);

  return db.transaction(async (m) => {
    // Serialise concurrent seeders; the second one finds rows and backs off.
    if (await lockForSeeding(m)) return null;

    await insertRows(m, 'enterprise', [
      ['id', 'uuid', ents.map((e) => e.id)],
      ['credit_code', 'text', ents.map((e) => e.creditCode)],
      ['name', 'text', ents.map((e) => e.name)],
      ['region_code', 'text', ents.map((e) => e.region)],
      ['industry', 'text', ents.map((e) => e.industry)],
      // Personal data encrypted at rest, as the repository writes it.
      ['legal_representative', 'text', ents.map((e) => seal(CTX.legalRepresentative, e.rep))],
      ['legal_representative_id_number', 'text', ents.map((e) => seal(CTX.legalRepresentativeIdNumber, e.idNumber))],
      ['legal_representative_id_number_hmac', 'text', ents.map((e) => idNumberHash(e.idNumber))],
      ['contact_phone', 'text', ents.map((e) => seal(CTX.contactPhone, e.phone))],
    ]);
    await insertRows(m, 'water_permit', [
      ['id', 'uuid', permits.map((p) => p.id)],
      ['permit_no', 'text', permits.map((p) => p.permitNo)],
      ['enterprise_id', 'uuid', permits.map((p) => p.enterpriseId)],
      ['valid_from', 'timestamptz', permits.map(() => chinaYearBounds(PERMIT_FROM_YEAR(year)).start)],
      ['valid_to', 'timestamptz', permits.map(() => chinaYearBounds(PERMIT_TO_YEAR(year)).start)],
      ['annual_quota', 'float8', permits.map((p) => p.quota)],
      ['revoked_at', 'timestamptz', permits.map((p) => p.revokedAt)],
      ['revocation_reason', 'text', permits.map((p) => p.reason)],
      ['revocation_kind', 'text', permits.map((p) => (p.revokedAt ? 'REVOCATION' : null))],
    ]);
    await insertRows(m, 'water_plan', [
      ['enterprise_id', 'uuid', plans.map((p) => p.enterpriseId)],
      ['year', 'int4', plans.map((p) => p.year)],
      ['planned_volume', 'float8', plans.map((p) => p.volume)],
    ]);
    await insertRows(m, 'meter', [
      ['id', 'uuid', meters.map((x) => x.id)],
      ['meter_code', 'text', meters.map((x) => x.code)],
      ['enterprise_id', 'uuid', meters.map((x) => x.enterpriseId)],
      ['online', 'bool', meters.map((x) => x.online)],
      ['level', 'int2', meters.map((x) => x.level)],
      ['reporting_interval_seconds', 'int4', meters.map(() => SLOT / 1000)],
      ['max_flow_rate', 'float8', meters.map((x) => x.maxFlow)],
      ['calibration_expires_at', 'timestamptz', meters.map((x) => x.calibration)],
    ]);
    await insertRows(m, 'credit_record', [
      ['id', 'uuid', records.map((r) => r.id)],
      ['enterprise_id', 'uuid', records.map((r) => r.enterpriseId)],
      ['kind', 'text', records.map((r) => r.kind)],
      ['indicator', 'text', records.map((r) => r.indicator ?? null)],
      ['level', 'text', records.map((r) => r.level ?? null)],
      ['honor_level', 'text', records.map((r) => r.honorLevel ?? null)],
      ['title', 'text', records.map((r) => r.title)],
      ['description', 'text', records.map((r) => r.description)],
      ['occurred_at', 'timestamptz', records.map((r) => r.occurredAt)],
      ['basis', 'text', records.map((r) => r.basis)],
      ['status', 'text', records.map((r) => r.status)],
      ['status_reason', 'text', records.map((r) => r.statusReason)],
      ['determined_by', 'text', records.map((r) => r.determinedBy)],
      ['determined_at', 'timestamptz', records.map((r) => r.determinedAt)],
      ['determining_region_code', 'text', records.map((r) => r.determiningRegionCode)],
      ['determining_authority_kind', 'text', records.map((r) => r.determiningAuthorityKind)],
      ['source_act', 'text', records.map((r) => r.sourceAct)],
      ['source_document_no', 'text', records.map((r) => r.sourceDocumentNo)],
      ['conduct_region_code', 'text', records.map((r) => r.conductRegionCode)],
      ['public_summary', 'text', records.map((r) => r.publicSummary)],
      ['honor_category', 'text', records.map((r) => r.honorCategory ?? null)],
      ['awarding_body', 'text', records.map((r) => r.awardingBody)],
      ['awarding_body_kind', 'text', records.map((r) => r.awardingBodyKind)],
      ['awarded_by_government', 'bool', records.map((r) => r.awardedByGovernment ?? null)],
      ['award_document_no', 'text', records.map((r) => r.awardDocumentNo)],
    ]);
    await insertRows(m, 'credit_letter', [
      ['id', 'uuid', letters.map((l) => l.id)],
      ['record_id', 'uuid', letters.map((l) => l.recordId)],
      ['from_region_code', 'text', letters.map((l) => l.fromRegionCode)],
      ['from_authority_kind', 'text', letters.map((l) => l.fromAuthorityKind)],
      ['to_region_code', 'text', letters.map((l) => l.toRegionCode)],
      ['to_authority_kind', 'text', letters.map((l) => l.toAuthorityKind)],
      ['subject', 'text', letters.map((l) => l.subject)],
      ['body', 'text', letters.map((l) => l.body)],
      ['sent_at', 'timestamptz', letters.map((l) => l.sentAt)],
    ]);

    await insertRows(m, 'enforcement_case', [
      ['id', 'uuid', cases.map((c) => c.id)],
      ['enterprise_id', 'uuid', cases.map((c) => c.enterpriseId)],
      ['indicator', 'text', cases.map((c) => c.indicator)],
      ['case_no', 'text', cases.map((c) => c.caseNo)],
      ['conduct_region_code', 'text', cases.map((c) => c.regionCode)],
      ['opened_at', 'timestamptz', cases.map((c) => c.openedAt)],
      ['opened_by', 'text', cases.map((c) => c.openedBy)],
    ]);
    const notices = cases.flatMap((c) => c.notices.map((n) => ({ ...n, caseId: c.id, by: c.openedBy })));
    await insertRows(m, 'rectification_notice', [
      ['id', 'uuid', notices.map((n) => n.id)],
      ['case_id', 'uuid', notices.map((n) => n.caseId)],
      ['notice_no', 'text', notices.map((n) => n.noticeNo)],
      ['issued_at', 'timestamptz', notices.map((n) => n.issuedAt)],
      ['deadline_date', 'date', notices.map((n) => n.deadlineDate)],
      ['complied_at', 'timestamptz', notices.map((n) => n.compliedAt)],
      ['created_by', 'text', notices.map((n) => n.by)],
    ]);
    const fines = cases.flatMap((c) => c.fines.map((f) => ({ ...f, caseId: c.id, by: c.openedBy })));
    await insertRows(m, 'enforcement_fine', [
      ['id', 'uuid', fines.map((f) => f.id)],
      ['case_id', 'uuid', fines.map((f) => f.caseId)],
      ['decision_no', 'text', fines.map((f) => f.decisionNo)],
      ['amount', 'numeric', fines.map((f) => f.amount)],
      ['served_at', 'timestamptz', fines.map((f) => f.servedAt)],
      ['due_date', 'date', fines.map((f) => f.dueDate)],
      ['due_provisional', 'bool', fines.map((f) => f.dueProvisional)],
      ['paid_at', 'timestamptz', fines.map((f) => f.paidAt)],
      ['created_by', 'text', fines.map((f) => f.by)],
    ]);

    const readings = opts.readingDays > 0 ? await seedReadings(m, new Rng(seed ^ 0x9e3779b9), meters, opts.readingDays, now) : 0;

    // Ratings from the pure engine, in memory; then one bulk insert and one bulk update.
    const recordsOf = groupBy(records, (r) => r.enterpriseId);
    const permitsOf = groupBy(permits, (p) => p.enterpriseId);
    const casesOf = caseFactsByEnterprise(cases);
    const grades: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0 };
    const ratings = ents.map((e) => {
      const ev = evaluate({
        policy,
        records: recordsOf.get(e.id) ?? [],
        permits: (permitsOf.get(e.id) ?? []).map((p): EnginePermit => ({
          id: p.id,
          permitNo: p.permitNo,
          revokedAt: p.revokedAt,
          revocationKind: p.revokedAt ? 'REVOCATION' : null,
        })),
        cases: casesOf.get(e.id) ?? [],
        history: [],
        asOf,
      });
      grades[ev.grade]++;
      return { id: randomUUID(), enterpriseId: e.id, ev };
    });
    await insertRows(m, 'credit_rating', [
      ['id', 'uuid', ratings.map((r) => r.id)],
      ['enterprise_id', 'uuid', ratings.map((r) => r.enterpriseId)],
      ['grade', 'text', ratings.map((r) => r.ev.grade)],
      ['score', 'int4', ratings.map((r) => r.ev.score)],
      ['indicators', 'jsonb', ratings.map((r) => JSON.stringify(r.ev.indicators))],
      ['reasons', 'jsonb', ratings.map((r) => JSON.stringify(r.ev.reasons))],
      ['measures', 'jsonb', ratings.map((r) => JSON.stringify(r.ev.measures))],
      ['policy_version', 'text', ratings.map((r) => r.ev.policyVersion)],
      ['as_of', 'timestamptz', ratings.map(() => asOf)],
      ['evaluated_by', 'text', ratings.map(() => 'system:demo-seed')],
      ['decisive_record_ids', 'uuid[]', ratings.map((r) => r.ev.decisiveRecordIds)],
    ]);
    await setCurrentRatings(
      m,
      ratings.map((r) => ({ enterpriseId: r.enterpriseId, ratingId: r.id, grade: r.ev.grade })),
    );
    if (opts.readingDays > 0)
      await seedSimulatorSource(
        m,
        ents.slice(0, 6).map((e) => e.id),
        now,
      );
    return {
      enterprises: ents.length,
      permits: permits.length,
      plans: plans.length,
      meters: meters.length,
      readings,
      records: records.length,
      enforcementCases: cases.length,
      ratings: ratings.length,
      grades,
      policyVersion: policy.version,
      asOf: asOf.toISOString(),
    };
  });
}
