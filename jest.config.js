/** Unit specs live beside the code; integration and e2e suites under test/. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false, diagnostics: { warnOnly: false } }] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/connectors/**/*.spec.ts', '<rootDir>/jobs/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60000,
  maxWorkers: 2,
  // Safety net for CI: a leaked socket must not hold a finished run open until the 90-min limit.
  forceExit: true,
};
