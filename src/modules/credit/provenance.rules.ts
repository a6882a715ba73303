/**
 * Where a credit record comes from (Art. 7, 9, 10, 11), as pure rules: the source acts, the
 * kind and Chinese name of a determining authority, which authority of a caller's jurisdiction
 * determines a record, when a letter (函告) goes to the registration region, the public summary
 * the public sees instead of the internal description, and the honor facts of Art. 10.
 */
import { jurisdictionPrefix } from '../../platform/auth/region.rules';
import type { DishonestyLevel, HonorCategory, HonorLevel } from '../policy/credit-policy';

/** The enforcement acts a dishonesty record follows from: Art. 11 "受到行政处罚、行政强制等", and the inspection findings of the annex. */
export const SOURCE_ACTS = ['ADMINISTRATIVE_PENALTY', 'ADMINISTRATIVE_COERCION', 'ADMINISTRATIVE_INSPECTION', 'OTHER'] as const;
export type SourceAct = (typeof SOURCE_ACTS)[number];
export const SOURCE_ACT_ZH: Record<SourceAct, string> = {
  ADMINISTRATIVE_PENALTY: '行政处罚',
  ADMINISTRATIVE_COERCION: '行政强制',
  ADMINISTRATIVE_INSPECTION: '行政检查',
  OTHER: '其他',
};

/** The water authorities that determine records (Art. 7: 县级及以上人民政府水行政主管部门). */
export const AUTHORITY_KINDS = ['PROVINCIAL_WATER_AUTHORITY', 'CITY_WATER_AUTHORITY', 'COUNTY_WATER_AUTHORITY'] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

/**
 * Who awarded an honor. Only GOVERNMENT_DEPARTMENT (政府有关部门) counts for A (Art. 14); a Party or
 * people's organisation (工会、共青团、妇联…), an industry association, an enterprise or anyone else
 * does not.
 */
export const AWARDING_BODY_KINDS = ['GOVERNMENT_DEPARTMENT', 'PARTY_OR_PEOPLES_ORGANISATION', 'INDUSTRY_ASSOCIATION', 'ENTERPRISE', 'OTHER'] as const;
export type AwardingBodyKind = (typeof AWARDING_BODY_KINDS)[number];

export const HONOR_CATEGORY_ZH: Record<HonorCategory, string> = {
  WATER_SAVING_CARRIER: '节水载体称号',
  WATER_EFFICIENCY_LEADER: '“水效领跑者”称号',
  OTHER_RECOGNISED: '其他经水行政主管部门认定的节水荣誉',
};

const LEVEL_ZH: Record<DishonestyLevel, string> = { GENERAL: '一般失信', SERIOUS: '较重失信', SEVERE: '严重失信' };
const HONOR_LEVEL_ZH: Record<HonorLevel, string> = { COUNTY: '县级', MUNICIPAL: '市级', PROVINCIAL: '省级', NATIONAL: '国家级' };

/** Names of the divisions the hub serves (GB/T 2260); others are named by their code. */
const REGION_NAMES_ZH: Record<string, string> = {
  '130000': '河北省',
  '130800': '承德市',
  '130802': '承德市双桥区',
  '130803': '承德市双滦区',
  '130804': '承德市鹰手营子矿区',
  '130821': '承德县',
  '130822': '兴隆县',
  '130824': '滦平县',
  '130825': '隆化县',
  '130826': '丰宁满族自治县',
  '130827': '宽城满族自治县',
  '130828': '围场满族蒙古族自治县',
  '130881': '平泉市',
};

/** A region's Chinese name, or "行政区划 130521" for one the hub has no name for. */
export function regionNameZh(regionCode: string): string {
  return REGION_NAMES_ZH[regionCode] ?? `行政区划 ${regionCode}`;
}

/** The level of a region's authority from its code: 130000 a province's, 130800 a city's, 130821 a county's. */
export function authorityKindOf(regionCode: string): AuthorityKind {
  if (regionCode.endsWith('0000')) return 'PROVINCIAL_WATER_AUTHORITY';
  if (regionCode.endsWith('00')) return 'CITY_WATER_AUTHORITY';
  return 'COUNTY_WATER_AUTHORITY';
}

/** 平泉市水行政主管部门: the authority, never an officer. */
export function authorityNameZh(regionCode: string): string {
  return `${regionNameZh(regionCode)}水行政主管部门`;
}

/** Whether region `outer` (a jurisdiction: 130800 covers every 1308xx) covers region `inner`. */
export function regionCovers(outer: string, inner: string): boolean {
  return inner.startsWith(jurisdictionPrefix(outer));
}

/**
 * The authority that determines a record for conduct in `conductRegion`: the most local region
 * of the caller's jurisdiction that covers it (a city officer determines as the city); a caller
 * with no regional jurisdiction (the SYSTEM) determines as the conduct region's own
 * authority. Null when no region of the jurisdiction covers it.
 */
export function determiningRegion(jurisdiction: readonly string[], conductRegion: string): string | null {
  if (jurisdiction.length === 0) return conductRegion;
  const covering = jurisdiction.filter((r) => regionCovers(r, conductRegion));
  if (!covering.length) return null;
  return covering.reduce((a, b) => (jurisdictionPrefix(b).length > jurisdictionPrefix(a).length ? b : a));
}

/** Art. 9: conduct outside the registration region's jurisdiction is notified to that region's authority by letter (函告). */
export function needsLetter(conductRegion: string, registrationRegion: string): boolean {
  return !regionCovers(registrationRegion, conductRegion);
}

/** 2026年2月12日 (China time). */
export function chineseDate(d: Date): string {
  const [y, m, day] = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10).split('-');
  return `${Number(y)}年${Number(m)}月${Number(day)}日`;
}

/** What a public summary is made from: facts of the finding, never the officer, the description or personal data. */
export type SummaryFacts =
  | { kind: 'DISHONESTY'; indicator: string; indicatorNameZh: string; level: DishonestyLevel; occurredAt: Date; sourceAct: SourceAct }
  | { kind: 'HONOR'; title: string; honorLevel: HonorLevel; occurredAt: Date };

/**
 * The summary disclosed to the public when the officer gave none (Art. 7: no trade secret, no
 * personal privacy): the indicator's Chinese name, the level and the date.
 *
 * @example 2026年2月12日，该企业在“计量设施在线联网”（评价指标 2.3）方面存在一般失信行为，依据行政处罚认定。
 */
export function defaultPublicSummary(f: SummaryFacts): string {
  if (f.kind === 'HONOR') return `${chineseDate(f.occurredAt)}，该企业获得${HONOR_LEVEL_ZH[f.honorLevel]}荣誉“${f.title}”。`;
  const act = f.sourceAct === 'OTHER' ? '' : `，依据${SOURCE_ACT_ZH[f.sourceAct]}认定`;
  return `${chineseDate(f.occurredAt)}，该企业在“${f.indicatorNameZh}”（评价指标 ${f.indicator}）方面存在${LEVEL_ZH[f.level]}行为${act}。`;
}

const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;
const ID_NUMBER = /(?<!\d)\d{17}[\dXx](?!\d)/;

/**
 * Why a public summary may not be published, or null: too long, or it holds what looks like a
 * mobile number or a citizen ID number, or a name the caller says is personal (the legal
 * representative's).
 */
export function publicSummaryProblem(summary: string, personalNames: readonly (string | null)[] = []): string | null {
  if (summary.length > 500) return '公开摘要不得超过500字 / publicSummary may have at most 500 characters';
  if (MOBILE.test(summary) || ID_NUMBER.test(summary))
    return '公开摘要不得包含手机号码或身份证号码等个人信息（第七条） / publicSummary may not hold phone or ID numbers (Art. 7: no personal data)';
  if (personalNames.some((n) => n && n.trim().length > 1 && summary.includes(n.trim())))
    return '公开摘要不得包含法定代表人等个人姓名（第七条） / publicSummary may not name a person (Art. 7: no personal data)';
  return null;
}

/** Art. 14: only a government department's award counts; derived from the awarding body's kind, unknown (null) without one, never assumed. */
export function awardedByGovernment(kind: AwardingBodyKind | null | undefined): boolean | null {
  if (!kind) return null;
  return kind === 'GOVERNMENT_DEPARTMENT';
}

/** What a letter (函告) says about a record; enterprise name and code are public register facts, no person is named. */
export interface LetterFacts {
  enterpriseName: string;
  creditCode: string;
  registrationRegion: string;
  conductRegion: string;
  fromRegion: string;
  indicator: string;
  indicatorNameZh: string;
  level: DishonestyLevel;
  occurredAt: Date;
  determinedAt: Date;
  sourceAct: SourceAct;
  sourceDocumentNo: string | null;
}

/**
 * The Chinese text of an Art. 9 letter from the conduct region's authority to the registration
 * region's: a subject line "关于XX企业失信信息认定情况的函" and a body.
 */
export function letterText(f: LetterFacts): { subject: string; body: string } {
  const act = f.sourceAct === 'OTHER' ? '' : `（${SOURCE_ACT_ZH[f.sourceAct]}${f.sourceDocumentNo ? `，${f.sourceDocumentNo}` : ''}）`;
  const body = [
    `${authorityNameZh(f.registrationRegion)}：`,
    `根据《承德市企业节水信用管理实施细则（试行）》第九条，现将${f.enterpriseName}（统一社会信用代码 ${f.creditCode}，注册地 ${regionNameZh(f.registrationRegion)}）` +
      `在我辖区${regionNameZh(f.conductRegion)}的失信信息认定情况函告如下：该企业于${chineseDate(f.occurredAt)}在“${f.indicatorNameZh}”（评价指标 ${f.indicator}）方面存在${LEVEL_ZH[f.level]}行为，` +
      `我单位已于${chineseDate(f.determinedAt)}认定${act}并予公示。`,
    '特此函告。',
    authorityNameZh(f.fromRegion),
    chineseDate(f.determinedAt),
  ].join('\n');
  return { subject: `关于${f.enterpriseName}失信信息认定情况的函`, body };
}
