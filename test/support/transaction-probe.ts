import { insertEnterprise } from '../../src/modules/enterprise/enterprise.repository';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { OuterHandleError, withTransaction } from '../../src/platform/context';
import { Database } from '../../src/platform/db';
import { runProbeOnEmbedded } from './embedded-probe';
import { Queryable } from '../../src/platform/sql';
import { testContext, testDeps } from './context';

/** What test/integration/transaction.test.ts asserts, observed on one database. */
export interface TransactionObservations {
  /** The outer context queried inside withTransaction: the error's name and message. */
  outerQuery: { name: string; message: string } | null;
  /** …and the transaction's insert is gone. */
  rolledBack: boolean;
  /** The outer context's loaders used inside withTransaction. */
  outerLoader: string | null;
  /** withTransaction on the child: the same transaction id. */
  nestedReuses: boolean;
  /** The child's loaders see the transaction's own insert. */
  childLoaderSeesInsert: boolean;
  /** Outside, a statement is its own transaction. */
  outsideIsAnother: boolean;
  /** After the transaction: new loaders, which see the committed change. */
  loadersFresh: boolean;
  seesChange: boolean;
  /** The child context used after its transaction ended. */
  spentChild: string | null;
  /** A failed transaction leaves the outer context usable. */
  usableAfterFailure: boolean;
}

const txid = async (db: Queryable) => (await db.query(`SELECT txid_current()::text AS id`))[0].id as string;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error) => e,
  );

let n = 0;
const enterprise = () => ({
  creditCode: withCheckChar(`91130821MU${String(process.pid % 1000).padStart(3, '0')}${String(++n).padStart(4, '0')}`),
  name: '企业',
  regionCode: '130821',
  industry: null,
  legalRepresentative: null,
  legalRepresentativeIdNumber: null,
  contactPhone: null,
  checkOverride: false,
});

/** Runs every withTransaction scenario against `db` (a migrated database) and reports what happened. */
export async function probeTransactions(db: Database): Promise<TransactionObservations> {
  const deps = testDeps(db);
  let ctx = testContext(deps);
  const first = enterprise();
  const outer = await failure(
    withTransaction(ctx, async (txCtx) => {
      await insertEnterprise(txCtx.db, first);
      await ctx.db.query(`SELECT count(*) FROM enterprise`);
    }),
  );
  const rolledBack = (await ctx.db.query(`SELECT count(*)::int AS n FROM enterprise WHERE credit_code = $1`, [first.creditCode]))[0].n === 0;

  const e = (await insertEnterprise(ctx.db, enterprise()))!;
  const loader = await failure(withTransaction(ctx, async () => ctx.loaders.enterprise.load(e.id)));

  ctx = testContext(deps);
  const [outerTx, innerTx, seen] = await withTransaction(ctx, async (txCtx) => {
    const x = (await insertEnterprise(txCtx.db, enterprise()))!;
    const inner = await withTransaction(txCtx, (again) => txid(again.db));
    return [await txid(txCtx.db), inner, await txCtx.loaders.enterprise.load(x.id)] as const;
  });
  const outsideTx = await txid(ctx.db);

  await ctx.loaders.enterprise.load(e.id);
  const before = ctx.loaders;
  let child: typeof ctx | undefined;
  await withTransaction(ctx, async (txCtx) => {
    child = txCtx;
    await txCtx.db.query(`UPDATE enterprise SET name = '改名' WHERE id = $1`, [e.id]);
  });
  const loadersFresh = ctx.loaders !== before;
  const seesChange = (await ctx.loaders.enterprise.load(e.id))?.name === '改名';
  const spent = await failure(child!.db.query(`SELECT 1`));

  await failure(withTransaction(ctx, async () => Promise.reject(new Error('boom'))));
  const usableAfterFailure = (await ctx.db.query(`SELECT 1 AS one`))[0].one === 1;

  return {
    outerQuery: outer && { name: outer instanceof OuterHandleError ? 'OuterHandleError' : outer.name, message: outer.message },
    rolledBack,
    outerLoader: loader && (loader instanceof OuterHandleError ? 'OuterHandleError' : loader.message),
    nestedReuses: innerTx === outerTx,
    childLoaderSeesInsert: Boolean(seen),
    outsideIsAnother: outsideTx !== outerTx,
    loadersFresh,
    seesChange,
    spentChild: spent && spent.message,
    usableAfterFailure,
  };
}

/** `node dist/test/support/transaction-probe.js`: the probe on a fresh embedded database (PGlite runs outside jest's VM), printed as JSON. */
if (require.main === module) runProbeOnEmbedded('hub-tx-', probeTransactions);
