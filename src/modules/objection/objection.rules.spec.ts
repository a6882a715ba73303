import { checkObjectionStep, checkReason, checkStatement } from './objection.rules';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions: { code: string; field?: string } }).extensions;
  }
  return null;
};

describe('objection contents', () => {
  it('needs a statement and a reason of at most 2000 characters', () => {
    expect(checkStatement('  记录有误 ')).toBe('记录有误');
    expect(code(() => checkStatement('  '))).toEqual({ code: 'BAD_USER_INPUT', field: 'statement' });
    expect(code(() => checkStatement('x'.repeat(2001)))).toEqual({ code: 'BAD_USER_INPUT', field: 'statement' });
    expect(checkReason(' 经核查属实 ')).toBe('经核查属实');
    expect(code(() => checkReason(''))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(code(() => checkReason(undefined))).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
  });
});

describe('objection steps', () => {
  const open = { status: 'OPEN' as const, receivedBy: 'EVALUATING_BODY' as const, routedAt: null, recordId: 'r' };
  it('routes only a credit-authority receipt, once; decides once, after routing', () => {
    expect(code(() => checkObjectionStep('decide', open, 'FACTS_WRONG'))).toBeNull();
    expect(code(() => checkObjectionStep('route', open))).toMatchObject({ code: 'BAD_USER_INPUT' });
    const ca = { ...open, receivedBy: 'CREDIT_AUTHORITY' as const };
    expect(code(() => checkObjectionStep('route', ca))).toBeNull();
    expect(code(() => checkObjectionStep('decide', ca, 'REJECTED'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    const routed = { ...ca, routedAt: new Date() };
    expect(code(() => checkObjectionStep('route', routed))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(code(() => checkObjectionStep('decide', routed, 'REJECTED'))).toBeNull();
    expect(code(() => checkObjectionStep('decide', { ...open, status: 'DECIDED' }, 'REJECTED'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(code(() => checkObjectionStep('decide', { ...open, recordId: null }, 'FACTS_WRONG'))).toEqual({ code: 'BAD_USER_INPUT', field: 'outcome' });
  });
});
