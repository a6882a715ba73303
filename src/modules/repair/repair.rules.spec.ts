import { checkCommitment, checkDecisionNote, checkEvidence, checkStatement, checkStepOrder, decisionDueAt, stepAt } from './repair.rules';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions: { code: string; field?: string } }).extensions;
  }
  return null;
};

describe('repair step order', () => {
  it('confirms only a SUBMITTED repair and decides only a CONFIRMED one', () => {
    expect(code(() => checkStepOrder('confirm', 'SUBMITTED'))).toBeNull();
    expect(code(() => checkStepOrder('decide', 'CONFIRMED'))).toBeNull();
    for (const s of ['CONFIRMED', 'APPROVED', 'REJECTED'] as const) expect(code(() => checkStepOrder('confirm', s))).toMatchObject({ code: 'BAD_USER_INPUT' });
    for (const s of ['SUBMITTED', 'APPROVED', 'REJECTED'] as const) expect(code(() => checkStepOrder('decide', s))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('step dates', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  const prev = new Date('2026-11-01T00:00:00Z');
  it('defaults to now, refuses the future and a date before the previous step', () => {
    expect(stepAt(undefined, prev, undefined, now).getTime()).toBe(now);
    expect(stepAt(new Date('2026-11-15T00:00:00Z'), prev, undefined, now).toISOString()).toBe('2026-11-15T00:00:00.000Z');
    expect(stepAt(prev, prev, undefined, now)).toEqual(prev);
    expect(code(() => stepAt(new Date(now + 3_600_000), prev, undefined, now))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(code(() => stepAt(new Date('2026-10-31T23:59:59Z'), prev, undefined, now))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
    expect(code(() => stepAt(new Date('nope'), prev, undefined, now))).toEqual({ code: 'BAD_USER_INPUT', field: 'at' });
  });
});

describe('application contents', () => {
  it('needs a statement of at most 2000 characters', () => {
    expect(checkStatement('  已整改  ')).toBe('已整改');
    expect(code(() => checkStatement('   '))).toEqual({ code: 'BAD_USER_INPUT', field: 'statement' });
    expect(code(() => checkStatement('x'.repeat(2001)))).toEqual({ code: 'BAD_USER_INPUT', field: 'statement' });
    expect(checkStatement('x'.repeat(2000))).toHaveLength(2000);
  });
  it('cleans evidence and refuses an unsigned commitment', () => {
    expect(checkEvidence([' 整改报告.pdf ', '', '整改报告.pdf', '缴款凭证'])).toEqual(['整改报告.pdf', '缴款凭证']);
    expect(checkEvidence(undefined)).toEqual([]);
    expect(code(() => checkEvidence(['x'.repeat(501)]))).toEqual({ code: 'BAD_USER_INPUT', field: 'evidence' });
    expect(checkCommitment(true)).toBe(true);
    expect(checkCommitment(undefined)).toBeNull();
    expect(code(() => checkCommitment(false))).toEqual({ code: 'BAD_USER_INPUT', field: 'commitmentSigned' });
  });
  it('a rejection needs a note', () => {
    expect(checkDecisionNote(true, undefined)).toBeNull();
    expect(checkDecisionNote(false, ' 未缴清罚款 ')).toBe('未缴清罚款');
    expect(code(() => checkDecisionNote(false, '  '))).toEqual({ code: 'BAD_USER_INPUT', field: 'note' });
  });
});

describe('decisionDueAt', () => {
  it('is the end of the due day, China time', () => {
    expect(decisionDueAt('2026-10-12').toISOString()).toBe('2026-10-12T15:59:59.999Z');
  });
});
