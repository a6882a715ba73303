import { chinaDateString } from '../../platform/china-time';
import type { CreditPolicy, DishonestyLevel, HonorLevel } from '../policy/credit-policy';
import { Citation, citeAll } from './citation.rules';

/**
 * A reason for a grade, Chinese first: the clause that applied in the Chinese way
 * (第十七条第（一）项; null when no single clause decides, e.g. C by elimination) and the
 * reason in Chinese and English, each ending with its citation.
 */
export interface Reason {
  clause: string | null;
  zh: string;
  en: string;
}

/** What a reason needs to know of a record. */
export interface ReasonRecord {
  indicator?: string | null;
  level?: DishonestyLevel | null;
  occurredAt: Date;
}

const day = chinaDateString;
const LEVEL_ZH: Record<DishonestyLevel, string> = { GENERAL: '一般', SERIOUS: '较重', SEVERE: '严重' };
const HONOR_ZH: Record<HonorLevel, string> = { COUNTY: '县级', MUNICIPAL: '市级', PROVINCIAL: '省级', NATIONAL: '国家级' };

/** A reason citing `cites` (the first is the clause that applied). */
export function reason(cites: Citation[], zh: string, en: string): Reason {
  const c = citeAll(cites);
  return { clause: cites.length ? c.zh : null, zh: cites.length ? `${zh}（${c.zh}）` : zh, en: cites.length ? `${en} — ${c.en}` : en };
}

const listZh = (rs: ReasonRecord[]) => rs.map((r) => `指标${r.indicator}${LEVEL_ZH[r.level!]}，${day(r.occurredAt)}`).join('；');
const listEn = (rs: ReasonRecord[]) => rs.map((r) => `${r.indicator} ${r.level?.toLowerCase()} on ${day(r.occurredAt)}`).join('; ');

/** The texts of every reason the engine gives, one function per rule. */
export const reasons = {
  dSevere: (rs: ReasonRecord[], min: number) =>
    reason(
      [{ article: 17, item: 1 }],
      `D级：评价期内有${rs.length}条有效的严重失信信息（${listZh(rs)}），达到${min}条及以上`,
      `D: ${rs.length} active severe record(s) in the period (${listEn(rs)}), at least ${min}`,
    ),
  dSerious: (rs: ReasonRecord[], min: number) =>
    reason(
      [{ article: 17, item: 1 }],
      `D级：评价期内有${rs.length}条有效的较重失信信息（${listZh(rs)}），达到${min}条及以上`,
      `D: ${rs.length} active serious record(s) in the period (${listEn(rs)}), at least ${min}`,
    ),
  dScore: (score: number, poor: number) =>
    reason([{ article: 17, item: 2 }], `D级：附件所列指标综合计算得分${score}分，小于${poor}分`, `D: total score ${score} is below ${poor}`),
  dCase: (facts: { zh: string; en: string }) =>
    reason([{ article: 17, item: 3 }], `D级：符合直接判定为D级条件（附件第6项）——${facts.zh}`, `D: direct D from enforcement (annex row 6) — ${facts.en}`),
  dPermit: (permitNo: string, revokedAt: Date) =>
    reason(
      [{ article: 17, item: 3 }],
      `D级：取水许可证${permitNo}于${day(revokedAt)}被依法吊销，符合直接判定为D级条件（附件第6项）`,
      `D: water-withdrawal permit ${permitNo} revoked as a penalty (吊销) on ${day(revokedAt)} (annex row 6)`,
    ),
  cCount: (general: number, serious: number, p: CreditPolicy) =>
    reason(
      [{ article: 16, item: 1 }],
      `C级：评价期内有${general + serious}条有效失信信息（一般${general}条，较重${serious}条），一般失信信息${p.counting.cMaxGeneral}条及以内、较重失信信息${p.counting.cMaxSerious}条及以内`,
      `C: ${general + serious} active dishonesty record(s) in the period (${general} general, ${serious} serious): at most ${p.counting.cMaxGeneral} general and ${p.counting.cMaxSerious} serious`,
    ),
  cScore: (score: number, full: number, poor: number) =>
    reason(
      [{ article: 16, item: 3 }],
      `C级：附件所列指标综合计算得分${score}分，小于${full}分，大于等于${poor}分`,
      `C: total score ${score} is at least ${poor} and below ${full}`,
    ),
  cCase: (facts: { zh: string; en: string }) =>
    reason([{ article: 16, item: 4 }], `C级：符合直接判定为C级条件（附件第6项）——${facts.zh}`, `C: direct C from enforcement (annex row 6) — ${facts.en}`),
  cOnceD: () =>
    reason([{ article: 16, item: 2 }], 'C级：本细则施行期内仅一次综合评价结果被确定为D级，现已修复', 'C: graded D once in the period and since repaired'),
  cRepeatedD: (episodes: number) =>
    reason(
      [],
      `C级：本细则施行期内${episodes}次综合评价结果被确定为D级并已修复；“仅一次被确定为D级”的情形不适用；现不符合D级条件，且施行期内有失信信息而不符合A级、B级条件，按排除法确定为C级`,
      `C: graded D ${episodes} times in the period and since repaired; the once-graded-D rule covers a single D only; no D condition holds now, and dishonesty information in the period rules out A and B: C by elimination`,
    ),
  cRepaired: (n: number) =>
    reason(
      [{ article: 14, item: 1 }, { article: 15 }],
      `C级：评价期内有${n}条已修复的失信信息；A级、B级要求"本细则施行期内无失信信息"`,
      `C: ${n} repaired dishonesty record(s) in the period; A and B need none ("施行期内无失信信息")`,
    ),
  a: (score: number, level: HonorLevel, awardedAt: Date, from: Date) =>
    reason(
      [{ article: 14 }],
      `A级：本细则施行期内无失信信息，综合得分${score}分；${day(awardedAt)}获得${HONOR_ZH[level]}政府有关部门节水表彰（自${day(from)}起计）`,
      `A: no dishonesty record in the period and score ${score}; ${level.toLowerCase()} honor awarded on ${day(awardedAt)} (from ${day(from)})`,
    ),
  b: (score: number, p: CreditPolicy, unknownHonors: number) =>
    reason(
      [{ article: 15 }],
      `B级：本细则施行期内无失信信息，综合得分${score}分；自${day(p.honorWindowStart)}起未获得${HONOR_ZH[p.honorMinLevel]}以上政府有关部门节水表彰` +
        (unknownHonors ? `；另有${unknownHonors}项荣誉因授予单位是否为政府部门不明或荣誉类别不明，不予计入（第十四条）` : ''),
      `B: no dishonesty record in the period and score ${score}; no government honor of ${p.honorMinLevel.toLowerCase()} level or above since ${day(p.honorWindowStart)}` +
        (unknownHonors
          ? `; ${unknownHonors} honor(s) not counted because the awarding body is not known to be a government department or the category is unknown (Art. 14)`
          : ''),
    ),
  assumedContinuation: (p: CreditPolicy) =>
    reason(
      [{ article: 32 }],
      `本次评价适用的政策 ${p.version} 为假定延续：细则自印发之日起施行，试用期两年，已届满；在主管部门发布后续规定前，按原细则延续适用（${p.effectiveFrom}至${p.effectiveTo}）`,
      `The policy applied, ${p.version}, is an assumed continuation: the rules' two-year trial term has ended and, until the authority issues a successor, they are applied unchanged (${p.effectiveFrom} to ${p.effectiveTo})`,
    ),
};
