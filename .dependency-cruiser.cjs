/**
 * The architecture, checked (npm run lint:arch). Arrows point down only:
 *   entry (src/main.ts, src/app.ts, src/cli) → jobs → modules → platform
 *   modules → connectors → platform
 * Any cycle kept on purpose is listed in `allowedFolderCycles` below with its reason.
 */
/**
 * Folder cycles kept for now, among these domain folders only (a cycle through any other
 * folder still fails). Why each exists, and the way out:
 * - The GraphQL object graph: Enterprise has meters, permits, plans, a rating, records and
 *   candidates, and each of those resolves its `enterprise` (enterprise-parent.ts); type-graphql
 *   needs the classes at run time, so enterprise ↔ meter/permit/plan/rating/credit/candidate
 *   import each other's *.type.ts. Way out: one schema-assembly folder owning the field resolvers
 *   that cross domains.
 * - Access and the dashboard page: those domains' services check access through
 *   enterprise.service (requireEnterprise/assertAccess) while enterprise.repository embeds
 *   their rows as JSON in the page statement. Way out: access rules in one module of their own.
 * - Determination re-grades in the same transaction (credit, permit, enforcement → rating.service) and
 *   grading reads records, permits and enforcement cases (rating → credit, permit, enforcement
 *   repositories). Way out: a re-grade port the rating module registers.
 * - Policy documents carry detection thresholds validated by detection's rules
 *   (policy → detection.rules), and detection reads the policy in force (detection → policy).
 * - The relay publishes to the rating bus and creates webhook deliveries (outbox → rating-feed,
 *   webhook), which read the outbox's event (rating-feed, webhook → outbox).
 * - `src/modules/graphql-enums.ts` builds GraphQL enums from the as-const lists the rules own
 *   (credit, policy), and their GraphQL types use those enums.
 * Type-only imports are not counted (a type is no run-time dependency).
 */
const KEPT_CYCLES =
  '^src/modules/(enterprise|meter|permit|plan|rating|credit|enforcement|candidate|detection|policy|outbox|rating-feed|webhook|graphql-enums\\.ts)(/|$)';

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
      // A cycle through any folder outside KEPT_CYCLES is reported from that folder.
      from: { pathNot: KEPT_CYCLES },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'resolvers-call-services',
      comment: 'A resolver checks access and calls one service method; SQL stays behind the service. Row types may be imported (import type), functions not.',
      severity: 'error',
      from: { path: '\\.resolver\\.ts$' },
      to: { path: '\\.repository\\.ts$', dependencyTypesNot: ['type-only'] },
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
    exclude: { path: '(^dist/|^bench/|node_modules|\\.spec\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
