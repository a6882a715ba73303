import { checkCommitment, checkDecisionNote, checkReturnNote, checkEvidence, checkStatement, checkStepOrder, decisionDueAt, stepAt } from './repair.rules';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions: { code: string; field?: string } }).extensions;
  }
  return null;
};

describe('repair step order', () => {
  it('each step starts from one status: check (return/forward) SUBMITTED, supplement RETURNED, confirm FORWARDED, decide CONFIRMED', () => {
    const all = ['SUBMITTED', 'RETURNED', 'FORWARDED', 'CONFIRMED', 'APPROVED', 'REJECTED'] as const;
    const from = { return: 'SUBMITTED', forward: 'SUBMITTED', supplement: 'RETURNED', confirm: 'FORWARDED', decide: 'CONFIRMED' } as const;
    for (const [step, ok] of Object.entries(from) as [keyof typeof from, (typeof all)[number]][])
      for (const s of all)
        if (s === ok) expect(code(() => checkStepOrder(step, s))).toBeNull();
        else expect(code(() => checkStepOrder(step, s))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });
  it('a return needs a note', () => {
    expect(checkReturnNote(' 缺少验收意见 ')).toBe('缺少验收意见');
    expect(code(() => checkReturnNote('  '))).toEqual({ code: 'BAD_USER_INPUT', field: 'note' });
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
