import { badInput } from '../../platform/errors';
import { jurisdictionPrefix, regionCodeProblem } from '../../platform/auth/region.rules';

/**
 * A `regionCode` argument of a list or a subscription, as the jurisdiction prefix to filter
 * by (130800 → 1308); undefined when absent; BAD_USER_INPUT naming `field` when it is not a
 * region code. Whether it lies inside the caller's jurisdiction is the caller's question.
 */
export function regionArgument(code: string | null | undefined, field = 'regionCode'): string | undefined {
  if (!code) return undefined;
  const problem = regionCodeProblem(code);
  if (problem) throw badInput(problem, field);
  return jurisdictionPrefix(code);
}
