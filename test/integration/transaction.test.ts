import { TransactionObservations, probeTransactions } from '../support/transaction-probe';
import { probeOnPostgres } from '../support/hub';
import { probeOnEmbedded } from '../support/embedded-probe';

/**
 * withTransaction on both databases: the child context's handle is the transaction, and the
 * outer context refuses every statement while it runs, loudly (on Postgres the statement
 * would run outside the transaction; on PGlite, one session behind a mutex, it would wait
 * forever). PGlite cannot load inside jest's VM, so its probe runs in a process of the
 * compiled build (`npm test` builds first).
 */
const onPostgres = () => probeOnPostgres('tx', probeTransactions);

// A deadlock (the failure this guards against) would hang the probe: the timeout turns it into a failed test.
const onPglite = () => probeOnEmbedded<TransactionObservations>('transaction-probe', 50_000);

describe.each([
  ['postgres', onPostgres],
  ['pglite', onPglite],
])('withTransaction (%s)', (_kind, probe) => {
  let seen: TransactionObservations;
  beforeAll(async () => {
    seen = await probe();
  });

  it('a query through the outer context inside the transaction fails with an error naming the fix, and the transaction rolls back', () => {
    expect(seen.outerQuery).toEqual({ name: 'OuterHandleError', message: expect.stringMatching(/use txCtx/) });
    expect(seen.rolledBack).toBe(true);
  });

  it('the outer context’s loaders fail the same way inside the transaction', () => {
    expect(seen.outerLoader).toBe('OuterHandleError');
  });

  it('a nested withTransaction on the child reuses its transaction, and the child’s loaders read inside it', () => {
    expect(seen.nestedReuses).toBe(true);
    expect(seen.childLoaderSeesInsert).toBe(true);
    expect(seen.outsideIsAnother).toBe(true);
  });

  it('afterwards the outer context has fresh loaders that see the change, and the spent child refuses to run', () => {
    expect(seen.loadersFresh).toBe(true);
    expect(seen.seesChange).toBe(true);
    expect(seen.spentChild).toMatch(/transaction has ended/);
  });

  it('a failed transaction leaves the outer context usable', () => {
    expect(seen.usableAfterFailure).toBe(true);
  });
});
