/**
 * Two projects, one run:
 *  - unit: `*.spec.ts` beside the code; no I/O, no services (`npm run test:unit`).
 *  - integration: `test/**` suites against the real Postgres and Redis. Each isolates itself
 *    (its own schema, queue prefix and pub/sub channel by pid; a private redis-server or a
 *    claimed Redis database where it flushes or restarts Redis; port 0 or a free port; its
 *    own temporary data directory), so they run in parallel with the unit specs.
 * Nothing forces the exit: a suite that leaves a socket, timer or process behind keeps the
 * run open, and `npx jest --detectOpenHandles <file>` names it.
 */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false, diagnostics: { warnOnly: false } }] },
  setupFiles: ['reflect-metadata'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/connectors/**/*.spec.ts', '<rootDir>/jobs/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.test.ts'] },
  ],
  testTimeout: 60000,
  // The machine's two cores; CI sets the same.
  maxWorkers: 2,
};
