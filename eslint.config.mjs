// Lint (npm run lint): typescript-eslint's type-aware recommended rules over the product, jobs,
// connectors and tests; formatting is Prettier's (npm run format), not ESLint's.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'bench/node_modules/**', 'node_modules/**', 'coverage/**', '.data/**', '**/*.cjs', '**/*.mjs', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Aborts reject with the signal's reason, which lib.dom types as any (an AbortError or the
      // caller's Error). only-throw-error already lets `throw signal.reason` through; align the two.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true }],
    },
  },
  {
    // Tests read untyped JSON bodies (GraphQL responses, webhook payloads) and assert on them:
    // the unsafe-any family would only add casts there, not safety. The benchmarks do the same
    // with responses (and with the untyped peers they load from bench/node_modules).
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
