import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Queryable } from '../../platform/sql';
import type { Database } from '../../platform/db';
import { EngineRecord, EnginePermit, evaluate } from '../credit/credit.rules';
import { withCheckChar } from '../enterprise/credit-code.rules';
import { ReadingRow, insertReadings } from '../meter/meter.repository';
import { CreditPolicy, DishonestyLevel, GRADES, Grade, HonorLevel, IndicatorDefinition, policyFor, policyInForce } from '../policy/credit-policy';
import { IndustryKey, REGIONS, NAME_PREFIX, INDUSTRIES, INDUSTRY_KEYS, BRANDS, SUFFIXES, MOBILE_PREFIXES, SURNAMES, GIVEN, CONDUCT, LEVEL_ZH, HONOR_TITLES } from './demo.data';
import { chinaDay, chinaYear, chinaYearBounds } from '../../platform/china-time';
import { insertRows, insertSimulatorSource, lockForSeeding, setCurrentRatings, setPlannedVolumeOfYear } from './demo.repository';

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
  ratings: number;
  grades: Record<'A' | 'B' | 'C' | 'D', number>;
  /** The policy the ratings were computed under, and their asOf (`now`, or the policy's last instant once it has ended). */
  policyVersion: string;
  asOf: string;
}

const DAY = 86_400_000;
const SLOT = 900_000; // 15 minutes
const READING_BATCH = 20_000;
const RULES = '《承德市企业节约用水信用管理实施细则（试行）》';
/** Seeded permits run from January 1st three years before the seed's year to January 1st two years after it. */
const PERMIT_FROM_YEAR = (year: number) => year - 3;
const PERMIT_TO_YEAR = (year: number) => year + 2;

/** mulberry32: small, fast, deterministic. */
class Rng {
  constructor(private a: number) {}
  next(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let r = this.next() * xs.reduce((s, x) => s + x[1], 0);
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1][0];
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.int(0, 9);
    return s;
  }
}

// ---- Reference data: Chengde's county-level divisions, industries, names -----------------------

// ---- Generated rows ----------------------------------------------------------------------------

interface Ent {
  id: string; creditCode: string; name: string; region: string; regionName: string; seq: number; industry: string;
  rep: string; idNumber: string; phone: string; quota: number; target: Grade;
}
interface Permit { id: string; enterpriseId: string; permitNo: string; quota: number; revokedAt: Date | null; reason: string | null }
interface Meter { id: string; enterpriseId: string; code: string; online: boolean; level: number; maxFlow: number; avgFlow: number; calibration: Date }
interface Rec extends EngineRecord {
  enterpriseId: string; title: string | null; description: string | null; basis: string; statusReason: string | null; determinedBy: string;
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
  const year = chinaYear(now);
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
    permits.push({ id: randomUUID(), enterpriseId: e.id, permitNo: `取水(冀承)字[${PERMIT_FROM_YEAR(year)}]第${pad(permitSeq, 4)}号`, quota: e.quota, revokedAt: null, reason: null });
    for (const y of [year - 1, year]) plans.push({ enterpriseId: e.id, year: y, volume: roundTo(e.quota * rng.between(0.85, 0.97), 100) });
    meters.push(...makeMeters(rng, e, now));
  }
  const records = makeRecords(rng, policy, ents, permits, asOf);

  return db.transaction(async (m) => {
    // Serialise concurrent seeders; the second one finds rows and backs off.
    if (await lockForSeeding(m)) return null;

    await insertRows(m, 'enterprise', [
      ['id', 'uuid', ents.map((e) => e.id)],
      ['credit_code', 'text', ents.map((e) => e.creditCode)],
      ['name', 'text', ents.map((e) => e.name)],
      ['region_code', 'text', ents.map((e) => e.region)],
      ['industry', 'text', ents.map((e) => e.industry)],
      ['legal_representative', 'text', ents.map((e) => e.rep)],
      ['legal_representative_id_number', 'text', ents.map((e) => e.idNumber)],
      ['contact_phone', 'text', ents.map((e) => e.phone)],
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
      ['unheeded_notices', 'int4', records.map((r) => r.unheededNotices ?? 0)],
      ['government_award', 'bool', records.map((r) => r.governmentAward ?? true)],
      ['status', 'text', records.map((r) => r.status)],
      ['status_reason', 'text', records.map((r) => r.statusReason)],
      ['determined_by', 'text', records.map((r) => r.determinedBy)],
    ]);

    const readings = opts.readingDays > 0 ? await seedReadings(m, new Rng(seed ^ 0x9e3779b9), meters, opts.readingDays, now) : 0;

    // Ratings from the pure engine, in memory; then one bulk insert and one bulk update.
    const recordsOf = groupBy(records, (r) => r.enterpriseId);
    const permitsOf = groupBy(permits, (p) => p.enterpriseId);
    const grades: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0 };
    const ratings = ents.map((e) => {
      const ev = evaluate({
        policy,
        records: recordsOf.get(e.id) ?? [],
        permits: (permitsOf.get(e.id) ?? []).map((p): EnginePermit => ({ permitNo: p.permitNo, revokedAt: p.revokedAt })),
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
      // text[] per row cannot ride in a 2-D array (rows differ in length): JSON, unpacked in SQL.
      ['reasons', 'jsonb', ratings.map((r) => JSON.stringify(r.ev.reasons)), 'ARRAY(SELECT jsonb_array_elements_text(u.c5))'],
      ['measures', 'jsonb', ratings.map((r) => JSON.stringify(r.ev.measures)), 'ARRAY(SELECT jsonb_array_elements_text(u.c6))'],
      ['policy_version', 'text', ratings.map((r) => r.ev.policyVersion)],
      ['as_of', 'timestamptz', ratings.map(() => asOf)],
      ['evaluated_by', 'text', ratings.map(() => 'system:demo-seed')],
      ['decisive_record_ids', 'jsonb', ratings.map((r) => JSON.stringify(r.ev.decisiveRecordIds)), 'ARRAY(SELECT jsonb_array_elements_text(u.c10))::uuid[]'],
    ]);
    await setCurrentRatings(m, ratings.map((r) => ({ enterpriseId: r.enterpriseId, ratingId: r.id, grade: r.ev.grade })));
    if (opts.readingDays > 0) await seedSimulatorSource(m, ents.slice(0, 6).map((e) => e.id), now);
    return { enterprises: ents.length, permits: permits.length, plans: plans.length, meters: meters.length, readings, records: records.length, ratings: ratings.length, grades, policyVersion: policy.version, asOf: asOf.toISOString() };
  });
}


function makeEnterprises(rng: Rng, n: number): Ent[] {
  const targets = gradeTargets(rng, n);
  const seqs = new Map<string, number>();
  const codes = new Set<string>();
  const names = new Set<string>();
  return targets.map((target) => {
    const [region, regionName, , local] = rng.weighted(REGIONS.map((r) => [r, r[2]] as const));
    const seq = (seqs.get(region) ?? 0) + 1;
    seqs.set(region, seq);
    const key = rng.chance(0.45) ? rng.pick(local) : rng.pick(INDUSTRY_KEYS);
    const [keywords, industry, qMin, qMax] = INDUSTRIES[key];
    let name = '';
    for (let tries = 0; tries < 20 && (!name || names.has(name)); tries++)
      name = rng.pick(NAME_PREFIX[region] ?? [regionName]) + rng.pick(BRANDS) + rng.pick(keywords) + rng.weighted(SUFFIXES);
    if (names.has(name)) name = name.replace(/(有限|股份)/, `第${seq}分厂$1`);
    names.add(name);
    let code: string;
    do code = withCheckChar('91' + region + orgCode(rng));
    while (codes.has(code));
    codes.add(code);
    return {
      id: randomUUID(), creditCode: code, name, region, regionName, seq, industry, target,
      rep: rng.pick([...SURNAMES]) + rng.pick(GIVEN),
      idNumber: idNumber(rng, region),
      phone: rng.pick(MOBILE_PREFIXES) + rng.digits(8),
      quota: roundTo(qMin * Math.pow(qMax / qMin, rng.next()), 1_000),
    };
  });
}

/** ~15 % A, 50 % B, 25 % C, 10 % D, exactly (largest remainder), every grade once N ≥ 4, shuffled. */
function gradeTargets(rng: Rng, n: number): Grade[] {
  const w: Record<Grade, number> = { A: 0.15, B: 0.5, C: 0.25, D: 0.1 };
  const count = Object.fromEntries(GRADES.map((g) => [g, Math.floor(n * w[g])])) as Record<Grade, number>;
  const rest = [...GRADES].sort((a, b) => ((n * w[b]) % 1) - ((n * w[a]) % 1));
  for (let left = n - GRADES.reduce((s, g) => s + count[g], 0), i = 0; left > 0; left--, i++) count[rest[i % 4]]++;
  for (const g of GRADES)
    if (n >= 4 && count[g] === 0) {
      count[g]++;
      count.B--;
    }
  return rng.shuffle(GRADES.flatMap((g) => Array<Grade>(count[g]).fill(g)));
}

/** 9-character organisation code (GB 11714) with its own mod-11 check character. */
function orgCode(rng: Rng): string {
  const body = rng.chance(0.5) ? 'MA0' + Array.from({ length: 5 }, () => rng.pick([...'0123456789ABCDEFGHJKLMNPQRTUWXY'])).join('') : rng.int(1, 9) + rng.digits(7);
  const value = (c: string) => (c <= '9' ? Number(c) : c.charCodeAt(0) - 55);
  const sum = [3, 7, 9, 10, 5, 8, 4, 2].reduce((s, wt, i) => s + wt * value(body[i]), 0);
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

/** 18-character resident ID (GB 11643): region, birth date, sequence, ISO 7064 check. */
function idNumber(rng: Rng, region: string): string {
  const birth = new Date(Date.UTC(1958, 0, 1) + rng.int(0, 34 * 365) * DAY).toISOString().slice(0, 10).replace(/-/g, '');
  const first = region + birth + rng.digits(3);
  const sum = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2].reduce((s, wt, i) => s + wt * Number(first[i]), 0);
  return first + '10X98765432'[sum % 11];
}

function makeMeters(rng: Rng, e: Ent, now: Date): Meter[] {
  const count = rng.weighted([[1, 25], [2, 35], [3, 25], [4, 15]] as const);
  const total = (e.quota * rng.between(0.6, 0.95)) / 8760; // m³/h
  return Array.from({ length: count }, (_, k) => {
    const level = k === 0 ? 1 : rng.chance(0.6) ? 2 : 3;
    const avgFlow = level === 1 ? total : total * (level === 2 ? rng.between(0.15, 0.5) : rng.between(0.05, 0.2));
    const expired = rng.chance(0.12);
    return {
      id: randomUUID(),
      enterpriseId: e.id,
      code: `CD-${e.region}-${pad(e.seq, 4)}-M${k + 1}`,
      online: rng.chance(level === 1 ? 0.95 : 0.85),
      level,
      avgFlow,
      maxFlow: niceCeil(avgFlow * 2.5),
      calibration: chinaDay(new Date(now.getTime() + (expired ? -rng.int(10, 400) : rng.int(60, 1000)) * DAY)).start,
    };
  });
}

function makeRecords(rng: Rng, policy: CreditPolicy, ents: Ent[], permits: Permit[], now: Date): Rec[] {
  const out: Rec[] = [];
  const t0 = policy.periodStart.getTime();
  const t1 = Math.min(now.getTime(), policy.periodEnd.getTime() - 1);
  const inPeriod = () => workingHour(rng, t0, t1);
  const severeable = policy.indicators.filter((i) => i.levels.SEVERE !== undefined);
  const dAreaInds = policy.indicators.filter((i) => policy.directGrading.dAreas.includes(i.area));
  const officer = (e: Ent) => `officer:${e.region}-${pad(rng.int(1, 6), 2)}`;
  const dishonest = (e: Ent, ind: IndicatorDefinition, level: DishonestyLevel, at: number, extra: Partial<Rec> = {}): Rec => ({
    id: randomUUID(), enterpriseId: e.id, kind: 'DISHONESTY', indicator: ind.code, level, occurredAt: new Date(at), status: 'ACTIVE',
    unheededNotices: 0, governmentAward: true, title: `${ind.nameZh}（${LEVEL_ZH[level]}）`,
    description: CONDUCT[ind.code]?.[level] ?? `${ind.nameZh}：${LEVEL_ZH[level]}`,
    basis: `${RULES}第十一条、附件评价指标${ind.code}`, statusReason: null, determinedBy: officer(e), ...extra,
  });
  const honor = (e: Ent, level: HonorLevel, title: string, at: number, government = true): Rec => ({
    id: randomUUID(), enterpriseId: e.id, kind: 'HONOR', honorLevel: level, governmentAward: government, occurredAt: new Date(at),
    status: 'ACTIVE', unheededNotices: 0, title, description: government ? `${title}，由政府有关部门授予` : `${title}，由行业协会评选`,
    basis: `${RULES}第十条`, statusReason: null, determinedBy: level === 'COUNTY' ? officer(e) : `officer:130800-${pad(rng.int(1, 3), 2)}`,
  });
  const levelOf = (): DishonestyLevel => (rng.chance(0.65) ? 'GENERAL' : 'SERIOUS');
  let cSeen = 0;
  let dSeen = 0;
  ents.forEach((e, i) => {
    // Records from before the period: stored, never counted (some of them severe).
    if (rng.chance(0.08)) {
      const ind = rng.pick(severeable);
      out.push(dishonest(e, ind, rng.pick(['GENERAL', 'SERIOUS', 'SEVERE'] as const), workingHour(rng, t0 - 700 * DAY, t0 - DAY)));
    }
    switch (e.target) {
      case 'A': {
        const level = rng.weighted([['MUNICIPAL', 60], ['PROVINCIAL', 30], ['NATIONAL', 10]] as const);
        out.push(honor(e, level, rng.pick(HONOR_TITLES[level]), workingHour(rng, policy.honorWindowStart.getTime(), now.getTime())));
        break;
      }
      case 'B': {
        const v = rng.weighted([['clean', 55], ['county', 25], ['association', 8], ['stale', 7], ['revoked', 5]] as const);
        const w0 = policy.honorWindowStart.getTime();
        if (v === 'county') out.push(honor(e, 'COUNTY', `${e.regionName}节水型企业`, workingHour(rng, w0, now.getTime())));
        if (v === 'association') out.push(honor(e, 'MUNICIPAL', '承德市节约用水协会节水示范企业', workingHour(rng, w0, now.getTime()), false));
        if (v === 'stale') out.push(honor(e, 'MUNICIPAL', rng.pick(HONOR_TITLES.MUNICIPAL), workingHour(rng, w0 - 730 * DAY, w0 - DAY)));
        if (v === 'revoked')
          out.push(dishonest(e, rng.pick(policy.indicators), 'GENERAL', inPeriod(), { status: 'REVOKED', statusReason: '经异议核查，认定依据不足，予以撤销' }));
        break;
      }
      case 'C': {
        const repaired = { status: 'REPAIRED' as const, statusReason: '已完成整改并消除不良影响，经上级水行政主管部门确认，予以信用修复' };
        if (cSeen === 0) out.push(dishonest(e, rng.pick(policy.indicators), 'GENERAL', inPeriod(), repaired));
        else {
          if (cSeen === 1) out.push(dishonest(e, rng.pick(policy.indicators), 'SERIOUS', inPeriod(), repaired));
          for (let k = rng.int(1, 3); k > 0; k--) {
            const ind = rng.pick(policy.indicators);
            const notices = rng.chance(0.1) ? policy.directGrading.cNotices : 0;
            out.push(dishonest(e, ind, levelOf(), inPeriod(), { unheededNotices: Math.min(notices, policy.directGrading.dNotices - 1) }));
          }
        }
        cSeen++;
        break;
      }
      case 'D': {
        const variant = (['SEVERE', 'SCORE', 'REVOKED', 'SEVERE', 'NOTICES'] as const)[dSeen++ % 5];
        if (variant === 'SCORE' && addBelowPoor(rng, policy, (ind) => out.push(dishonest(e, ind, 'SERIOUS', inPeriod())))) break;
        if (variant === 'REVOKED' && policy.directGrading.permitRevocationIsD) {
          const p = permits[i];
          p.revokedAt = new Date(inPeriod());
          p.reason = '超许可水量取水，经三次责令整改仍拒不改正，依法吊销取水许可证';
          break;
        }
        if (variant === 'NOTICES' && dAreaInds.length) {
          out.push(dishonest(e, rng.pick(dAreaInds), 'GENERAL', inPeriod(), { unheededNotices: policy.directGrading.dNotices }));
          break;
        }
        out.push(dishonest(e, rng.pick(severeable), 'SEVERE', inPeriod()));
        if (rng.chance(0.3)) out.push(dishonest(e, rng.pick(policy.indicators), 'GENERAL', inPeriod()));
        break;
      }
    }
  });
  return out;
}

/** Adds serious records on distinct indicators until the score drops below the policy's D threshold. */
function addBelowPoor(rng: Rng, policy: CreditPolicy, add: (ind: IndicatorDefinition) => void): boolean {
  const inds = rng.shuffle([...policy.indicators]).sort((a, b) => b.maxScore - b.levels.SERIOUS - (a.maxScore - a.levels.SERIOUS));
  let loss = 0;
  const chosen: IndicatorDefinition[] = [];
  for (const ind of inds) {
    if (policy.thresholds.full - loss < policy.thresholds.poor) break;
    chosen.push(ind);
    loss += ind.maxScore - ind.levels.SERIOUS;
  }
  if (policy.thresholds.full - loss >= policy.thresholds.poor) return false;
  chosen.forEach(add);
  return true;
}

/**
 * 15-minute readings for every online meter, streamed through `insertReadings` in batches.
 * Realism for detection: ~2 % of meters fall silent 2–5 days before `now`; one or two each
 * roll back, stick (frozen register and flow) or spike far above `max_flow_rate`.
 */
async function seedReadings(m: Queryable, rng: Rng, meters: Meter[], days: number, now: Date): Promise<number> {
  const online = meters.filter((x) => x.online);
  const pool = rng.shuffle([...online]);
  const few = online.length >= 50 ? 2 : 1;
  const silent = new Set(days >= 2 ? pool.splice(0, Math.max(1, Math.round(online.length * 0.02))) : []);
  const [rollback, stuck, spike] = [0, 1, 2].map(() => new Set(pool.splice(0, few)));
  const last = Math.floor(now.getTime() / SLOT) * SLOT;
  const slots = days * 96;
  const first = last - (slots - 1) * SLOT;
  let batch: ReadingRow[] = [];
  let inserted = 0;
  for (const meter of online) {
    const end = silent.has(meter) ? last - Math.min(rng.int(2, 5), days - 1) * DAY : last;
    const n = Math.floor((end - first) / SLOT) + 1;
    const at = rng.int(Math.floor(n * 0.3), Math.max(Math.floor(n * 0.3), Math.floor(n * 0.8) - 1));
    const stuckFor = Math.min(rng.int(24, 48), Math.floor(n / 4));
    let cum = roundTo(rng.between(5_000, 3_000_000), 0.001);
    let flow = 0;
    for (let s = 0; s < n; s++) {
      const t = first + s * SLOT;
      if (stuck.has(meter) && s >= at && s < at + stuckFor) {
        batch.push({ meterId: meter.id, readAt: new Date(t), cumulativeVolume: cum, flowRate: flow });
      } else {
        const hour = ((t / 3_600_000 + 8) % 24) / 24;
        const weekday = new Date(t + 8 * 3_600_000).getUTCDay();
        flow = meter.avgFlow * (1 + 0.35 * Math.sin(2 * Math.PI * (hour - 0.33))) * (weekday === 0 || weekday === 6 ? 0.85 : 1) * rng.between(0.9, 1.1);
        if (spike.has(meter) && s === at) flow = meter.maxFlow * rng.between(4, 8);
        flow = roundTo(flow, 0.01);
        cum = roundTo(cum + flow * 0.25, 0.001);
        if (rollback.has(meter) && s === at) cum = roundTo(Math.max(0, cum - meter.avgFlow * 24 * rng.between(1, 5)), 0.001);
        batch.push({ meterId: meter.id, readAt: new Date(t), cumulativeVolume: cum, flowRate: flow });
      }
      if (batch.length >= READING_BATCH) {
        inserted += await insertReadings(m, batch);
        batch = [];
        await nextTurn(); // generating and inserting a batch takes a while: let requests in between
      }
    }
  }
  if (batch.length) inserted += await insertReadings(m, batch);
  return inserted;
}

// ---- Small helpers -----------------------------------------------------------------------------

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Rounds to a multiple of `step` (a power of ten, or 100/1000); dividing by 1/step keeps 28.31 from becoming 28.310000000000002. */
const roundTo = (x: number, step: number) => (step < 1 ? Math.round(x / step) / Math.round(1 / step) : Math.round(x / step) * step);

/** Rounds up to two significant digits (a meter's nameplate maximum). */
function niceCeil(x: number): number {
  const exp = Math.floor(Math.log10(Math.max(x, 0.1))) - 1;
  return exp < 0 ? Math.ceil(x * 10 ** -exp) / 10 ** -exp : Math.ceil(x / 10 ** exp) * 10 ** exp;
}


/** A random instant in [lo, hi], moved to a whole minute of office hours (09:00–17:00 CST) of its day when that stays in range. */
function workingHour(rng: Rng, lo: number, hi: number): number {
  const t = Math.floor(rng.between(lo, Math.max(lo, hi)));
  const office = chinaDay(new Date(t)).start.getTime() + rng.int(9 * 60, 17 * 60 - 1) * 60_000;
  return office >= lo && office <= hi ? office : t;
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = map.get(k);
    if (list) list.push(x);
    else map.set(k, [x]);
  }
  return map;
}

/** The demo's live feed: six meters of their own, fed every 15 minutes by the simulator connector. */
const SIM_BEHAVIOURS = ['normal', 'silent', 'rollback', 'stuck', 'spike', 'overdraw'] as const;

/**
 * Registers meters SIM-01…SIM-06 (one per behaviour: a silent, a rolling-back, a stuck, a
 * spiking meter and an enterprise that overdraws its plan) and a `demo-simulator` data
 * source with a 15-minute schedule that starts three days back, so the first sync and its
 * detection have something to find.
 */
async function seedSimulatorSource(m: Queryable, enterpriseIds: string[], now: Date): Promise<void> {
  const meters = enterpriseIds.map((enterpriseId, i) => ({ id: randomUUID(), enterpriseId, code: `SIM-0${i + 1}`, behaviour: SIM_BEHAVIOURS[i] }));
  await insertRows(m, 'meter', [
    ['id', 'uuid', meters.map((x) => x.id)],
    ['meter_code', 'text', meters.map((x) => x.code)],
    ['enterprise_id', 'uuid', meters.map((x) => x.enterpriseId)],
    ['online', 'bool', meters.map(() => true)],
    ['level', 'int2', meters.map((x) => (x.behaviour === 'overdraw' ? 1 : 2))],
    ['reporting_interval_seconds', 'int4', meters.map(() => SLOT / 1000)],
    ['max_flow_rate', 'float8', meters.map(() => 30)],
  ]);
  const config = {
    meters: meters.map((x) => ({ meterCode: x.code, avgFlow: x.behaviour === 'overdraw' ? 40 : 8, maxFlowRate: 30, behaviour: x.behaviour })),
    start: new Date(now.getTime() - 3 * DAY).toISOString(),
    seed: 20231018,
  };
  await insertSimulatorSource(m, config);
  // The overdrawing enterprise gets a plan its feed will exceed within days (OVER_PLAN).
  const overdraw = meters.find((x) => x.behaviour === 'overdraw')!;
  await setPlannedVolumeOfYear(m, overdraw.enterpriseId, now, 1000);
}
