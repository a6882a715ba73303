import { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { ValidationRule } from 'graphql';

/** Tokens an operation may hold (graphql-armor over HTTP, graphql's parser over WebSocket). */
export const MAX_TOKENS = 5000;

/**
 * Limits every operation before it runs (HTTP and WebSocket subscriptions alike): depth 12, 30 aliases, 5,000 tokens, a static cost of 20,000, and no
 * "did you mean" field suggestions in production. The dashboard query sits far below.
 */
export function armor(production: boolean): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[] } {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: 12, ignoreIntrospection: true },
    maxAliases: { n: 30 },
    maxTokens: { n: MAX_TOKENS },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: 20_000 },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return { plugins, validationRules };
}
