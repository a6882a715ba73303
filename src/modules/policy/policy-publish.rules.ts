import { CreditPolicy, PolicyDocument, chinaMidnight, parsePolicy, policyDocumentSchema } from './credit-policy';

/**
 * The pure half of publishing a credit policy through the API (`publishCreditPolicy`): reading
 * the document exactly as a shipped file is read, and the rules a new version must keep
 * against every policy already known. No I/O; the service brings the known policies and today.
 */

/** Where a policy came from: a file shipped with the release, or published by an administrator. */
export const POLICY_ORIGINS = ['SHIPPED', 'PUBLISHED'] as const;
export type PolicyOrigin = (typeof POLICY_ORIGINS)[number];

/** Why a publish was refused (`extensions.reason`). */
export type PublishRefusalReason = 'INVALID_POLICY' | 'DUPLICATE' | 'POLICY_STARTS_IN_PAST' | 'POLICY_OVERLAP';

/** One problem with a document: the field (dotted path, `(root)` for the whole) and what is wrong, as a sentence. */
export interface PolicyProblem {
  path: string;
  reason: PublishRefusalReason;
  message: string;
}

/** What a publish is checked against: a version and its term. */
export type PolicyTerm = Pick<CreditPolicy, 'version' | 'effectiveFrom' | 'effectiveTo' | 'inForceFrom' | 'inForceUntil'>;

/** A policy known to the hub, with its origin. */
export interface KnownPolicy {
  policy: PolicyTerm;
  origin: PolicyOrigin;
}

/** The term of a stored version from its dates (`YYYY-MM-DD`, effectiveTo inclusive), China Standard Time. */
export function termOf(version: string, effectiveFrom: string, effectiveTo: string): PolicyTerm {
  return {
    version,
    effectiveFrom,
    effectiveTo,
    inForceFrom: chinaMidnight(effectiveFrom),
    inForceUntil: new Date(chinaMidnight(effectiveTo).getTime() + 86_400_000),
  };
}

export type ReadDocument = { ok: true; policy: CreditPolicy; document: PolicyDocument } | { ok: false; problems: PolicyProblem[] };

/**
 * Validates a document with the same schema and the same `parsePolicy` the shipped files go
 * through. A string is read as JSON text (a file's content pasted as is). Every problem is
 * listed, not only the first.
 */
export function readPolicyDocument(raw: unknown): ReadDocument {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { ok: false, problems: [{ path: '(root)', reason: 'INVALID_POLICY', message: `不是有效的 JSON / not valid JSON: ${(e as Error).message}` }] };
    }
  }
  const parsed = policyDocumentSchema.safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', reason: 'INVALID_POLICY' as const, message: i.message })),
    };
  return { ok: true, policy: parsePolicy(value, 'document'), document: parsed.data };
}

/** Whether two terms share at least one day. */
export function termsOverlap(a: PolicyTerm, b: PolicyTerm): boolean {
  return a.inForceFrom < b.inForceUntil && b.inForceFrom < a.inForceUntil;
}

const originZh: Record<PolicyOrigin, string> = { SHIPPED: '随版本发布', PUBLISHED: '已发布' };

/**
 * What keeps `candidate` from being published, given the policies already known (shipped and
 * published) and today's date in China (`YYYY-MM-DD`). Empty when it may be published.
 *
 * - A version is used once, whatever its origin: a correction is a new version.
 * - A policy may not change the past: its term starts today or later (China date). Official
 *   ratings already made under the policy then in force would otherwise silently change:
 *   what-if evaluations and re-grades of those days would apply rules that did not exist.
 * - Terms never overlap: at any instant at most one policy is in force.
 */
export function publishProblems(candidate: PolicyTerm, known: readonly KnownPolicy[], today: string): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const same = known.find((k) => k.policy.version === candidate.version);
  if (same)
    problems.push({
      path: 'version',
      reason: 'DUPLICATE',
      message:
        `版本号 ${candidate.version} 已被使用（${originZh[same.origin]}的政策）；更正须以新版本号发布。 ` +
        `Version ${candidate.version} is already used by a ${same.origin.toLowerCase()} policy; a correction is published as a new version.`,
    });
  if (candidate.effectiveFrom < today)
    problems.push({
      path: 'effectiveFrom',
      reason: 'POLICY_STARTS_IN_PAST',
      message:
        `施行日期 ${candidate.effectiveFrom} 早于今天（${today}，北京时间）：新政策不得改变过去（否则依原政策已作出的评价结果将被悄然改变）。 ` +
        `effectiveFrom ${candidate.effectiveFrom} is before today (${today}, China Standard Time): a policy may not change the past (ratings already made under the old rules would silently change).`,
    });
  for (const k of known)
    if (k.policy.version !== candidate.version && termsOverlap(candidate, k.policy))
      problems.push({
        path: 'effectiveFrom',
        reason: 'POLICY_OVERLAP',
        message:
          `施行期 ${candidate.effectiveFrom}…${candidate.effectiveTo} 与${originZh[k.origin]}的政策 ${k.policy.version}（${k.policy.effectiveFrom}…${k.policy.effectiveTo}）重叠；同一时间只能有一版政策有效。 ` +
          `The term ${candidate.effectiveFrom}…${candidate.effectiveTo} overlaps the ${k.origin.toLowerCase()} policy ${k.policy.version} (${k.policy.effectiveFrom}…${k.policy.effectiveTo}); one policy is in force at a time.`,
      });
  return problems;
}

/** The refusal's message: Chinese first, then English, one line per problem. */
export function refusalMessage(problems: readonly PolicyProblem[]): string {
  const invalid = problems.every((p) => p.reason === 'INVALID_POLICY');
  const head = invalid
    ? `信用评价政策文件无效（${problems.length} 处问题），未发布。 The credit policy document is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was published.`
    : `该信用评价政策不能发布，未作任何保存。 The credit policy cannot be published; nothing was stored.`;
  return [head, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join('\n');
}
