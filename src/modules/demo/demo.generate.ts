/** The demo's generated rows, pure: enterprises, meters and credit records that yield every grade under the policy. */
import { DAY, RULES, Rng, pad, roundTo, niceCeil, workingHour } from './demo.random';
import { randomUUID } from 'node:crypto';
import { EngineRecord } from '../credit/credit.rules';
import { withCheckChar } from '../enterprise/credit-code.rules';
import { CreditPolicy, DishonestyLevel, GRADES, Grade, HonorLevel, IndicatorDefinition } from '../policy/credit-policy';
import {
  REGIONS,
  NAME_PREFIX,
  INDUSTRIES,
  INDUSTRY_KEYS,
  BRANDS,
  SUFFIXES,
  MOBILE_PREFIXES,
  SURNAMES,
  GIVEN,
  CONDUCT,
  LEVEL_ZH,
  HONOR_TITLES,
} from './demo.data';
import { chinaDay, chinaYear } from '../../platform/china-time';
import { AuthorityKind, AwardingBodyKind, SourceAct, authorityKindOf, awardedByGovernment, defaultPublicSummary } from '../credit/provenance.rules';
import type { HonorCategory } from '../policy/credit-policy';

// ---- Generated rows ----------------------------------------------------------------------------

export interface Ent {
  id: string;
  creditCode: string;
  name: string;
  region: string;
  regionName: string;
  seq: number;
  industry: string;
  rep: string;
  idNumber: string;
  phone: string;
  quota: number;
  target: Grade;
}
export interface Permit {
  id: string;
  enterpriseId: string;
  permitNo: string;
  quota: number;
  revokedAt: Date | null;
  reason: string | null;
}
export interface Meter {
  id: string;
  enterpriseId: string;
  code: string;
  online: boolean;
  level: number;
  maxFlow: number;
  avgFlow: number;
  calibration: Date;
}
export interface Rec extends EngineRecord {
  enterpriseId: string;
  title: string | null;
  description: string | null;
  basis: string;
  statusReason: string | null;
  determinedBy: string;
  determinedAt: Date;
  determiningRegionCode: string;
  determiningAuthorityKind: AuthorityKind;
  sourceAct: SourceAct;
  sourceDocumentNo: string | null;
  conductRegionCode: string;
  publicSummary: string;
  awardingBody: string | null;
  awardingBodyKind: AwardingBodyKind | null;
  awardDocumentNo: string | null;
}

/** Who awards an honor at each level in the demo: government departments (count for A). */
const AWARDING_BODY: Record<HonorLevel, (regionName: string) => string> = {
  COUNTY: (r) => `${r}水务局`,
  MUNICIPAL: () => '承德市水务局',
  PROVINCIAL: () => '河北省水利厅',
  NATIONAL: () => '水利部',
};
const honorCategoryOf = (title: string): HonorCategory => (title.includes('水效领跑者') ? 'WATER_EFFICIENCY_LEADER' : 'WATER_SAVING_CARRIER');

export function makeEnterprises(rng: Rng, n: number): Ent[] {
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
      id: randomUUID(),
      creditCode: code,
      name,
      region,
      regionName,
      seq,
      industry,
      target,
      rep: rng.pick([...SURNAMES]) + rng.pick(GIVEN),
      idNumber: idNumber(rng, region),
      phone: rng.pick(MOBILE_PREFIXES) + rng.digits(8),
      quota: roundTo(qMin * Math.pow(qMax / qMin, rng.next()), 1_000),
    };
  });
}

/** ~15 % A, 50 % B, 25 % C, 10 % D, exactly (largest remainder), every grade once N ≥ 4, shuffled. */
export function gradeTargets(rng: Rng, n: number): Grade[] {
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
export function orgCode(rng: Rng): string {
  const body = rng.chance(0.5)
    ? 'MA0' + Array.from({ length: 5 }, () => rng.pick([...'0123456789ABCDEFGHJKLMNPQRTUWXY'])).join('')
    : rng.int(1, 9) + rng.digits(7);
  const value = (c: string) => (c <= '9' ? Number(c) : c.charCodeAt(0) - 55);
  const sum = [3, 7, 9, 10, 5, 8, 4, 2].reduce((s, wt, i) => s + wt * value(body[i]), 0);
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

/** 18-character resident ID (GB 11643): region, birth date, sequence, ISO 7064 check. */
export function idNumber(rng: Rng, region: string): string {
  const birth = new Date(Date.UTC(1958, 0, 1) + rng.int(0, 34 * 365) * DAY).toISOString().slice(0, 10).replace(/-/g, '');
  const first = region + birth + rng.digits(3);
  const sum = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2].reduce((s, wt, i) => s + wt * Number(first[i]), 0);
  return first + '10X98765432'[sum % 11];
}

export function makeMeters(rng: Rng, e: Ent, now: Date): Meter[] {
  const count = rng.weighted([
    [1, 25],
    [2, 35],
    [3, 25],
    [4, 15],
  ] as const);
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

export function makeRecords(rng: Rng, policy: CreditPolicy, ents: Ent[], permits: Permit[], now: Date): Rec[] {
  const out: Rec[] = [];
  const t0 = policy.periodStart.getTime();
  const t1 = Math.min(now.getTime(), policy.periodEnd.getTime() - 1);
  const inPeriod = () => workingHour(rng, t0, t1);
  const severeable = policy.indicators.filter((i) => i.levels.SEVERE !== undefined);
  const officer = (e: Ent) => `officer:${e.region}-${pad(rng.int(1, 6), 2)}`;
  let docSeq = 0;
  /** Provenance of a demo determination: a few working days after the conduct, by the enterprise's county (or district) authority. */
  const provenance = (e: Ent, ind: IndicatorDefinition, level: DishonestyLevel, at: number) => {
    const determinedAt = new Date(Math.min(at + rng.int(2, 20) * DAY, now.getTime()));
    const sourceAct: SourceAct = level === 'GENERAL' ? 'ADMINISTRATIVE_INSPECTION' : 'ADMINISTRATIVE_PENALTY';
    const year = chinaYear(determinedAt);
    const sourceDocumentNo = sourceAct === 'ADMINISTRATIVE_PENALTY' ? `承水罚〔${year}〕${++docSeq}号` : `承水责改〔${year}〕${++docSeq}号`;
    const occurredAt = new Date(at);
    return {
      determinedAt,
      determiningRegionCode: e.region,
      determiningAuthorityKind: authorityKindOf(e.region),
      sourceAct,
      sourceDocumentNo,
      conductRegionCode: e.region,
      publicSummary: defaultPublicSummary({ kind: 'DISHONESTY', indicator: ind.code, indicatorNameZh: ind.nameZh, level, occurredAt, sourceAct }),
      awardingBody: null,
      awardingBodyKind: null,
      awardDocumentNo: null,
    };
  };
  const dishonest = (e: Ent, ind: IndicatorDefinition, level: DishonestyLevel, at: number, extra: Partial<Rec> = {}): Rec => ({
    ...provenance(e, ind, level, at),
    id: randomUUID(),
    enterpriseId: e.id,
    kind: 'DISHONESTY',
    indicator: ind.code,
    level,
    occurredAt: new Date(at),
    status: 'ACTIVE',
    title: `${ind.nameZh}（${LEVEL_ZH[level]}）`,
    description: CONDUCT[ind.code]?.[level] ?? `${ind.nameZh}：${LEVEL_ZH[level]}`,
    basis: `${RULES}第十一条、附件评价指标${ind.code}`,
    statusReason: null,
    determinedBy: officer(e),
    ...extra,
  });
  const honor = (e: Ent, level: HonorLevel, title: string, at: number, government = true): Rec => ({
    id: randomUUID(),
    enterpriseId: e.id,
    kind: 'HONOR',
    honorLevel: level,
    honorCategory: honorCategoryOf(title),
    awardingBody: government ? AWARDING_BODY[level](e.regionName) : '承德市节约用水协会',
    awardingBodyKind: government ? 'GOVERNMENT_DEPARTMENT' : 'INDUSTRY_ASSOCIATION',
    awardedByGovernment: awardedByGovernment(government ? 'GOVERNMENT_DEPARTMENT' : 'INDUSTRY_ASSOCIATION'),
    awardDocumentNo: government
      ? `${level === 'COUNTY' ? '县水字' : level === 'MUNICIPAL' ? '承水字' : level === 'PROVINCIAL' ? '冀水节' : '水节约'}〔${chinaYear(new Date(at))}〕${++docSeq}号`
      : null,
    occurredAt: new Date(at),
    status: 'ACTIVE',
    title,
    description: government ? `${title}，由政府有关部门授予` : `${title}，由行业协会评选`,
    basis: `${RULES}第十条`,
    statusReason: null,
    determinedBy: level === 'COUNTY' ? officer(e) : `officer:130800-${pad(rng.int(1, 3), 2)}`,
    determinedAt: new Date(Math.min(at + rng.int(1, 30) * DAY, now.getTime())),
    determiningRegionCode: level === 'COUNTY' ? e.region : '130800',
    determiningAuthorityKind: level === 'COUNTY' ? authorityKindOf(e.region) : 'CITY_WATER_AUTHORITY',
    sourceAct: 'OTHER',
    sourceDocumentNo: null,
    conductRegionCode: e.region,
    publicSummary: defaultPublicSummary({ kind: 'HONOR', title, honorLevel: level, occurredAt: new Date(at) }),
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
        const level = rng.weighted([
          ['MUNICIPAL', 60],
          ['PROVINCIAL', 30],
          ['NATIONAL', 10],
        ] as const);
        out.push(honor(e, level, rng.pick(HONOR_TITLES[level]), workingHour(rng, policy.honorWindowStart.getTime(), now.getTime())));
        break;
      }
      case 'B': {
        const v = rng.weighted([
          ['clean', 55],
          ['county', 25],
          ['association', 8],
          ['stale', 7],
          ['revoked', 5],
        ] as const);
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
            out.push(dishonest(e, rng.pick(policy.indicators), levelOf(), inPeriod()));
          }
        }
        cSeen++;
        break;
      }
      case 'D': {
        // Direct D from notices now comes from enforcement cases (the enforcement module's demo cases).
        const variant = (['SEVERE', 'SCORE', 'REVOKED', 'SEVERE'] as const)[dSeen++ % 4];
        if (variant === 'SCORE' && addBelowPoor(rng, policy, (ind) => out.push(dishonest(e, ind, 'SERIOUS', inPeriod())))) break;
        if (variant === 'REVOKED' && policy.directGrading.permitRevocationIsD) {
          const p = permits[i];
          p.revokedAt = new Date(inPeriod());
          p.reason = '超许可水量取水，经三次责令整改仍拒不改正，依法吊销取水许可证';
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
export function addBelowPoor(rng: Rng, policy: CreditPolicy, add: (ind: IndicatorDefinition) => void): boolean {
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
