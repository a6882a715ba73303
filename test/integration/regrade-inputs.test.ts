import { RegradeInputsProbe, probeRegradeInputs } from '../support/regrade-inputs-probe';
import { probeOnEmbedded } from '../support/embedded-probe';
import { probeOnPostgres } from '../support/hub';

/**
 * Issue 12, target 4: the daily re-grade decides from the enterprise row which enterprises can
 * have a new result; triggers on the engine's inputs (migration 1733130000000) keep that row
 * true whatever writes them. Changes made by plain SQL to each input table are seen: a record
 * added or deleted, a permit revoked, an enforcement case opened; a change the engine does not
 * read (an unrevoked permit's validity) is not. On both databases (PGlite in a process of the
 * compiled build).
 */
const onPostgres = () => probeOnPostgres('regrade_inputs', probeRegradeInputs);

describe.each([
  ['postgres', onPostgres],
  ['pglite', () => probeOnEmbedded<RegradeInputsProbe>('regrade-inputs-probe')],
])('re-grade inputs triggers (%s)', (_kind, probe) => {
  let seen: RegradeInputsProbe;
  beforeAll(async () => {
    seen = await probe();
  }, 180_000);

  it('evaluates every enterprise first, then none while nothing changed', () => {
    expect(seen.steps[0]).toMatchObject({ step: 'first', evaluated: ['*'], enterprises: 60 });
    expect(seen.steps[1]).toEqual({ step: 'nothing changed', evaluated: [], stored: 0, confirmed: 60, gradeChanges: 0, enterprises: 60 });
  });

  it('evaluates exactly the enterprises whose inputs were written by SQL, and the one with a case every day', () => {
    expect(seen.steps[2]).toMatchObject({ step: 'changed by SQL', evaluated: ['A', 'C', 'P', 'R'], stored: 3, confirmed: 57, gradeChanges: 3 });
    expect(seen.steps[3]).toEqual({ step: 'only the case moves with time', evaluated: ['C'], stored: 0, confirmed: 60, gradeChanges: 0, enterprises: 60 });
    // A's new record makes it C, the penalty revocation of P's permit D, R without its records B again.
    expect(seen.grades).toMatchObject({ A: 'C', P: 'D', R: 'B', Q: 'B' });
  });
});
