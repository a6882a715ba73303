import { z } from 'zod';
import { detectionThresholdsSchema } from '../detection/detection.rules';
import { HubError } from '../../platform/errors';
import { chinaDayIndex } from '../../platform/china-time';

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];
export const DISHONESTY_LEVELS = ['GENERAL', 'SERIOUS', 'SEVERE'] as const;
export type DishonestyLevel = (typeof DISHONESTY_LEVELS)[number];
export const HONOR_LEVELS = ['COUNTY', 'MUNICIPAL', 'PROVINCIAL', 'NATIONAL'] as const;
export type HonorLevel = (typeof HONOR_LEVELS)[number];
/**
 * Honor categories of Art. 10: 节水载体称号 (WATER_SAVING_CARRIER), "水效领跑者"称号
 * (WATER_EFFICIENCY_LEADER), another water-saving honor recognised by the water authority
 * (OTHER_RECOGNISED, which needs the recognition decision's number).
 */
export const HONOR_CATEGORIES = ['WATER_SAVING_CARRIER', 'WATER_EFFICIENCY_LEADER', 'OTHER_RECOGNISED'] as const;
export type HonorCategory = (typeof HONOR_CATEGORIES)[number];
/** A text in Chinese (the officers' language, first) and English. */
export interface Bilingual {
  zh: string;
  en: string;
}

const bilingualSchema = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * A class of dishonesty record that may not be repaired (Art. 24 "除法律法规和国家有关政策文件明确规定
 * 不可修复的失信信息外"), with the legal basis that says so. A record matches when every matcher
 * given matches: its indicator is listed, its level is listed, its determination basis
 * (`credit_record.basis`) contains one of the phrases.
 */
const unrepairableSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'code must be UPPER_SNAKE'),
    description: bilingualSchema,
    legalBasis: bilingualSchema,
    indicators: z.array(z.string()).min(1).optional(),
    levels: z.array(z.enum(DISHONESTY_LEVELS)).min(1).optional(),
    basisContains: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((u) => Boolean(u.indicators || u.levels || u.basisContains), { message: 'an unrepairable condition needs indicators, levels or basisContains' });

const indicatorSchema = z.object({
  code: z.string().regex(/^\d+\.\d+$/, 'indicator code must look like 2.3'),
  area: z.string().min(1),
  areaName: z.string().min(1),
  areaNameZh: z.string().min(1),
  name: z.string().min(1),
  nameZh: z.string().min(1),
  maxScore: z.number().int().positive(),
  levels: z
    .object({
      TRUSTWORTHY: z.number().int().nonnegative(),
      GENERAL: z.number().int().nonnegative(),
      SERIOUS: z.number().int().nonnegative(),
      SEVERE: z.number().int().nonnegative().optional(),
    })
    .strict(),
});

/** The shape of a credit policy document in `schema/policies/*.json`. */
export const policyDocumentSchema = z
  .object({
    version: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'version must be a lower-case slug'),
    title: z.string().min(1),
    titleEn: z.string().min(1),
    source: z.string().optional(),
    assumedContinuation: z.boolean(),
    effectiveFrom: localDate,
    effectiveTo: localDate,
    timeZone: z.literal('Asia/Shanghai'),
    period: z.object({ start: localDate, years: z.number().int().positive() }),
    honorLookBackYears: z.number().int().nonnegative(),
    honorMinLevel: z.enum(HONOR_LEVELS),
    honorRequiresGovernmentAward: z.boolean(),
    /** Art. 10 categories that count for A (Art. 14 "节水表彰"); an honor without a category never counts. */
    honorCategories: z
      .array(z.enum(HONOR_CATEGORIES))
      .min(1)
      .default([...HONOR_CATEGORIES]),
    thresholds: z.object({ full: z.number().int().positive(), poor: z.number().int().positive() }),
    repairedRecordsBlockAB: z.boolean(),
    /** Art. 24: records that may not be repaired, each naming its legal basis (workflows.md "Credit repair"). */
    unrepairable: z.array(unrepairableSchema).default([]),
    /**
     * How Art. 16(1) and 17(1) count records (workflows.md "Counting records"): C under 16(1) with at
     * most cMaxGeneral general and cMaxSerious serious and no severe; D under 17(1) from dMinSerious
     * serious or dMinSevere severe records. One record is one 条; only ACTIVE records in the period.
     */
    counting: z.object({
      cMaxGeneral: z.number().int().nonnegative(),
      cMaxSerious: z.number().int().nonnegative(),
      dMinSerious: z.number().int().positive(),
      dMinSevere: z.number().int().positive(),
    }),
    directGrading: z.object({
      cNotices: z.number().int().positive(),
      dNotices: z.number().int().positive(),
      dAreas: z.array(z.string()).min(1),
      permitRevocationIsD: z.boolean(),
    }),
    indicators: z.array(indicatorSchema).min(1),
    /** Art. 18–21 item by item: the Chinese verbatim, the English alongside. */
    measures: z.object({ A: z.array(bilingualSchema), B: z.array(bilingualSchema), C: z.array(bilingualSchema), D: z.array(bilingualSchema) }),
    /** Where the hub reads the original text, and how: Chinese and English. */
    notes: z.array(bilingualSchema).default([]),
    /** Detection thresholds (issue #3 table); every field defaults, so a policy may name only what it changes. */
    detection: detectionThresholdsSchema.prefault({}),
  })
  .superRefine((p, ctx) => {
    const codes = new Set<string>();
    let total = 0;
    for (const [i, ind] of p.indicators.entries()) {
      if (codes.has(ind.code)) ctx.addIssue({ code: 'custom', path: ['indicators', i, 'code'], message: `duplicate indicator ${ind.code}` });
      codes.add(ind.code);
      total += ind.maxScore;
      if (ind.levels.TRUSTWORTHY !== ind.maxScore)
        ctx.addIssue({ code: 'custom', path: ['indicators', i], message: `indicator ${ind.code}: TRUSTWORTHY must equal maxScore` });
      const l = ind.levels;
      if (!(l.GENERAL <= l.TRUSTWORTHY && l.SERIOUS <= l.GENERAL && (l.SEVERE === undefined || l.SEVERE <= l.SERIOUS)))
        ctx.addIssue({ code: 'custom', path: ['indicators', i, 'levels'], message: `indicator ${ind.code}: level scores must not rise with severity` });
    }
    if (total !== p.thresholds.full)
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'full'], message: `indicators sum to ${total}, thresholds.full is ${p.thresholds.full}` });
    if (p.thresholds.poor >= p.thresholds.full) ctx.addIssue({ code: 'custom', path: ['thresholds', 'poor'], message: 'poor threshold must be below full' });
    if (p.effectiveTo < p.effectiveFrom) ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'effectiveTo is before effectiveFrom' });
    for (const [kind, code] of Object.entries(p.detection.indicators))
      if (!codes.has(code))
        ctx.addIssue({ code: 'custom', path: ['detection', 'indicators', kind], message: `indicator ${code} is not in this policy's table` });
    if (p.counting.dMinSerious <= p.counting.cMaxSerious)
      ctx.addIssue({ code: 'custom', path: ['counting', 'dMinSerious'], message: 'dMinSerious must be above cMaxSerious (a count cannot be both C and D)' });
    const unrepairableCodes = new Set<string>();
    for (const [i, u] of p.unrepairable.entries()) {
      if (unrepairableCodes.has(u.code))
        ctx.addIssue({ code: 'custom', path: ['unrepairable', i, 'code'], message: `duplicate unrepairable condition ${u.code}` });
      unrepairableCodes.add(u.code);
      for (const code of u.indicators ?? [])
        if (!codes.has(code))
          ctx.addIssue({ code: 'custom', path: ['unrepairable', i, 'indicators'], message: `indicator ${code} is not in this policy's table` });
    }
    for (const a of p.directGrading.dAreas)
      if (!p.indicators.some((ind) => ind.area === a)) ctx.addIssue({ code: 'custom', path: ['directGrading', 'dAreas'], message: `unknown area ${a}` });
  });

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type IndicatorDefinition = PolicyDocument['indicators'][number];
export type UnrepairableCondition = PolicyDocument['unrepairable'][number];

/** What an unrepairable condition is matched against (a dishonesty record). */
export interface RepairableFacts {
  indicator: string | null;
  level: DishonestyLevel | null;
  basis: string | null;
}

/** The first of the policy's unrepairable conditions (Art. 24) the record meets, if any. */
export function unrepairableCondition(policy: Pick<PolicyDocument, 'unrepairable'>, r: RepairableFacts): UnrepairableCondition | undefined {
  return policy.unrepairable.find(
    (u) =>
      (!u.indicators || (r.indicator !== null && u.indicators.includes(r.indicator))) &&
      (!u.levels || (r.level !== null && u.levels.includes(r.level))) &&
      (!u.basisContains || u.basisContains.some((phrase) => (r.basis ?? '').includes(phrase))),
  );
}

/** A validated policy with its dates resolved to instants (Asia/Shanghai, UTC+8, no DST). */
export interface CreditPolicy extends PolicyDocument {
  /** First instant the policy is in force. */
  inForceFrom: Date;
  /** First instant after the policy's term (effectiveTo is inclusive). */
  inForceUntil: Date;
  periodStart: Date;
  /** Exclusive end of the evaluation period. */
  periodEnd: Date;
  /** Honors awarded from here on count for A. */
  honorWindowStart: Date;
}

/** Midnight of a local date in China Standard Time. */
export function chinaMidnight(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

function addYears(date: string, years: number): Date {
  const [y, m, d] = date.split('-');
  return chinaMidnight(`${Number(y) + years}-${m}-${d}`);
}

function nextDay(date: string): Date {
  return new Date(chinaMidnight(date).getTime() + 86_400_000);
}

/** Validates a raw policy document; throws with one line per problem. */
export function parsePolicy(raw: unknown, origin = 'policy'): CreditPolicy {
  const parsed = policyDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${origin} is not a valid credit policy:\n${lines.join('\n')}`);
  }
  const p = parsed.data;
  return {
    ...p,
    inForceFrom: chinaMidnight(p.effectiveFrom),
    inForceUntil: nextDay(p.effectiveTo),
    periodStart: chinaMidnight(p.period.start),
    periodEnd: addYears(p.period.start, p.period.years),
    honorWindowStart: addYears(p.period.start, -p.honorLookBackYears),
  };
}

/** Checks a set of policies together: unique versions, terms that do not overlap. */
export function checkPolicySet(policies: CreditPolicy[]): CreditPolicy[] {
  const sorted = [...policies].sort((a, b) => a.inForceFrom.getTime() - b.inForceFrom.getTime());
  const seen = new Set<string>();
  for (const [i, p] of sorted.entries()) {
    if (seen.has(p.version)) throw new Error(`credit policy version ${p.version} is defined twice`);
    seen.add(p.version);
    const prev = sorted[i - 1];
    if (prev && prev.inForceUntil > p.inForceFrom) throw new Error(`credit policies ${prev.version} and ${p.version} are both in force on ${p.effectiveFrom}`);
  }
  return sorted;
}

/** The policy in force at `asOf`, or undefined when none is. */
export function policyInForce(policies: CreditPolicy[], asOf: Date): CreditPolicy | undefined {
  return policies.find((p) => p.inForceFrom <= asOf && asOf < p.inForceUntil);
}

export function indicatorOf(policy: CreditPolicy, code: string): IndicatorDefinition | undefined {
  return policy.indicators.find((i) => i.code === code);
}

/** Days before the last policy ends from which the hub warns at start and in `/health`. */
export const POLICY_END_WARNING_DAYS = 180;

/** What `/health` and the startup log say about the policies' term. */
export interface PolicyOutlook {
  /** The policy in force now, else the last one that has begun (else the first to come). */
  version: string;
  /** Whether a policy is in force now. */
  inForce: boolean;
  /** The last shipped policy and the first instant after its term. */
  lastVersion: string;
  lastEffectiveTo: string;
  endsAt: string;
  /** Asia/Shanghai calendar days from today to the day after the last policy's term (1 on its last day; 0 or less once it has ended). */
  daysLeft: number;
  /** Set when no policy is in force or the last one ends within {@link POLICY_END_WARNING_DAYS}. */
  warning: string | null;
}

/** The policy a date's conduct or record is checked against: the one in force then, else now, else the latest that has begun, else the first. */
export function policyFor(policies: CreditPolicy[], at: Date, now = new Date()): CreditPolicy {
  const begun = policies.filter((p) => p.inForceFrom <= now);
  const p = policyInForce(policies, at) ?? policyInForce(policies, now) ?? begun.at(-1) ?? policies[0];
  if (!p) throw new Error('no credit policy is loaded');
  return p;
}

/** The policy whose term ends last. */
function lastPolicy(policies: CreditPolicy[]): CreditPolicy {
  const last = [...policies].sort((a, b) => a.inForceUntil.getTime() - b.inForceUntil.getTime()).at(-1);
  if (!last) throw new Error('no credit policy is loaded');
  return last;
}

/** The term of the policies as seen at `now`, with a warning once the last one ends within 180 days. */
export function policyOutlook(policies: CreditPolicy[], now = new Date()): PolicyOutlook {
  const current = policyInForce(policies, now);
  const last = lastPolicy(policies);
  // Calendar days in Asia/Shanghai: on the last day of the term, 1 is left; the day after, 0.
  const daysLeft = chinaDayIndex(last.inForceUntil) - chinaDayIndex(now);
  const warning = !current
    ? noPolicyMessage(policies, now)
    : daysLeft <= POLICY_END_WARNING_DAYS
      ? `最后一版信用评价政策 ${last.version} 将于 ${last.effectiveTo} 到期（剩余 ${daysLeft} 天），此后将拒绝信用评价；请发布后续政策（publishCreditPolicy，或在 schema/policies/ 中加入）。 ` +
        `The last credit policy ${last.version} ends on ${last.effectiveTo} (${daysLeft} days left); evaluations will be refused after it. Publish its successor (publishCreditPolicy, or a file in schema/policies/).`
      : null;
  return {
    version: policyFor(policies, now, now).version,
    inForce: Boolean(current),
    lastVersion: last.version,
    lastEffectiveTo: last.effectiveTo,
    endsAt: last.inForceUntil.toISOString(),
    daysLeft,
    warning,
  };
}

/** Why nothing can be evaluated at `asOf`, in Chinese then English, naming the last policy and its end. */
export function noPolicyMessage(policies: CreditPolicy[], asOf: Date): string {
  const last = lastPolicy(policies);
  const first = policies.reduce((a, b) => (b.inForceFrom < a.inForceFrom ? b : a));
  const when = asOf.toISOString();
  if (asOf < first.inForceFrom)
    return `${when} 无有效的信用评价政策：最早一版 ${first.version} 自 ${first.effectiveFrom} 起施行。 No credit policy is in force on ${when}: the first, ${first.version}, takes effect on ${first.effectiveFrom}.`;
  if (asOf >= last.inForceUntil)
    return (
      `${when} 无有效的信用评价政策：最后一版 ${last.version} 已于 ${last.effectiveTo} 到期，需发布后续政策（publishCreditPolicy 或 schema/policies/）。 ` +
      `No credit policy is in force on ${when}: the last one, ${last.version}, ended on ${last.effectiveTo}; a successor must be published (publishCreditPolicy, or a file in schema/policies/).`
    );
  return `${when} 无有效的信用评价政策（各版政策之间有空档）。 No credit policy is in force on ${when} (it falls between policy terms: ${policies.map((p) => `${p.version} ${p.effectiveFrom}…${p.effectiveTo}`).join(', ')}).`;
}

/**
 * The refusal of an evaluation at `asOf` when no policy is in force then: BAD_USER_INPUT with
 * `reason: 'NO_POLICY_IN_FORCE'` and the last policy's version and end in `extensions.lastPolicy`.
 */
export function noPolicyInForce(policies: CreditPolicy[], asOf: Date): HubError {
  const last = lastPolicy(policies);
  return new HubError('BAD_USER_INPUT', noPolicyMessage(policies, asOf), {
    field: 'asOf',
    reason: 'NO_POLICY_IN_FORCE',
    lastPolicy: { version: last.version, effectiveTo: last.effectiveTo, endsAt: last.inForceUntil.toISOString() },
  });
}
