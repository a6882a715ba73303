import { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { ParseOptions, ValidationRule } from 'graphql';
import { CostChecker, costChecker, costLimitAfterVariablesPlugin } from './cost';
import { nulGuardPlugin } from './nul-guard';

/** Tokens an operation may hold (graphql's parser, over HTTP and WebSocket alike). */
export const MAX_TOKENS = 5000;

/** The most an operation may cost, priced on its page sizes as they will run (literals, variables, defaults). */
export const MAX_COST = 20_000;

/**
 * The most a subscription's replay may cost: its selection priced once per message it may replay (`ratingChanged(since:)`
 * replays up to 10,000 changes), so a replayed message may cost 200 (an enterprise's rating, history and a few readings), not 20,000.
 */
export const MAX_REPLAY_COST = 2_000_000;

/**
 * Limits every operation before it runs (HTTP and WebSocket subscriptions alike): depth 12, 30 aliases, 5,000 tokens, a static cost of 20,000, and no
 * "did you mean" field suggestions in production. The dashboard query sits far below. The cost is priced twice: on the
 * literals while validating (cached per document), then on the coerced variables once they are known (`checkCost`,
 * an Apollo plugin over HTTP, called by the subscription server over WebSocket), so `first: $n` costs what `first: 500` does.
 * Arguments holding a NUL character are refused as BAD_USER_INPUT (`nul-guard.ts`).
 *
 * The token limit is graphql's own parser option (`parseOptions`), not graphql-armor's token plugin: that one parses in a
 * plugin hook, so a plain syntax error escaped Apollo's pipeline as HTTP 500 (security review, issue 11) instead of a
 * GRAPHQL_PARSE_FAILED request error.
 */
export function armor(production: boolean): {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
  checkCost: CostChecker;
} {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: 12, ignoreIntrospection: true },
    maxAliases: { n: 30 },
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: MAX_COST },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const checkCost = costChecker({ maxCost: MAX_COST, maxReplayCost: MAX_REPLAY_COST });
  return {
    plugins: [...plugins, costLimitAfterVariablesPlugin(checkCost), nulGuardPlugin()],
    validationRules,
    parseOptions: { maxTokens: MAX_TOKENS },
    checkCost,
  };
}
