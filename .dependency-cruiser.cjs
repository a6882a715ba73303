/**
 * The architecture, checked (npm run lint:arch). Arrows point down only:
 *   entry (src/main.ts, src/app.ts, src/cli) → jobs → modules → platform
 *   modules → connectors → platform
 * Any cycle kept on purpose is listed in `allowedFolderCycles` below with its reason.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-domain',
      comment: 'src/platform is plumbing (config, db, auth, queue, graphql): it knows no module, job or entry point.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^(src/modules/|jobs/|src/(main|app|schema|workers|cli)\\b)' },
    },
    {
      name: 'modules-import-no-jobs',
      comment: 'A service enqueues through ctx.jobs; it never imports a job definition.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^jobs/' },
    },
    {
      name: 'connectors-import-no-modules',
      comment: 'Connectors adapt feeds; they know nothing of the domain modules or jobs.',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { path: '^(src/modules/|jobs/)' },
    },
    {
      name: 'no-entry-imports',
      comment: 'Nothing below the entry points imports them.',
      severity: 'error',
      from: { path: '^(src/modules|src/platform|jobs|connectors)/' },
      to: { path: '^src/(main|cli/)' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders form a DAG; a cycle between two module folders means one of them owns the wrong thing.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-test-code-in-product',
      comment: 'Product code never imports tests or fakes.',
      severity: 'error',
      from: { path: '^(src|jobs|connectors)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '(^test/|\\.spec\\.ts$|/fake-[^/]+\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^bench/|node_modules)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
