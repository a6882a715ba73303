import { RateLimiter, checkContent, checkNote, checkOptional, checkVerifiable, receiptNumber } from './report.rules';

const ext = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions: Record<string, unknown> }).extensions;
  }
  return null;
};

describe('receipt numbers', () => {
  it('are JB + the China date + 12 base32 characters, different each time', () => {
    const at = new Date('2026-12-01T17:00:00Z'); // 2026-12-02 01:00 China time
    const a = receiptNumber(at);
    expect(a).toMatch(/^JB20261202[A-HJ-NP-Z2-9]{12}$/);
    expect(receiptNumber(at)).not.toBe(a);
  });
});

describe('report contents', () => {
  it('needs content of at most 2000 characters; reporter fields optional', () => {
    expect(checkContent('  虚假  ')).toBe('虚假');
    expect(ext(() => checkContent('  '))).toEqual({ code: 'BAD_USER_INPUT', field: 'content' });
    expect(ext(() => checkContent('x'.repeat(2001)))).toEqual({ code: 'BAD_USER_INPUT', field: 'content' });
    expect(checkOptional('  ', 'reporterName', 100)).toBeNull();
    expect(ext(() => checkOptional('x'.repeat(101), 'reporterName', 100))).toEqual({ code: 'BAD_USER_INPUT', field: 'reporterName' });
    expect(ext(() => checkNote(' '))).toEqual({ code: 'BAD_USER_INPUT', field: 'note' });
    expect(ext(() => checkVerifiable('CONFIRMED'))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(ext(() => checkVerifiable('RECEIVED'))).toBeNull();
  });
});

describe('rate limit', () => {
  it('allows 5 per 10 minutes per address, then refuses with RATE_LIMITED', () => {
    const l = new RateLimiter();
    const t = 1_000_000_000;
    for (let i = 0; i < 5; i++) l.take('1.2.3.4', t + i);
    expect(ext(() => l.take('1.2.3.4', t + 10))).toEqual({ code: 'BAD_USER_INPUT', reason: 'RATE_LIMITED' });
    expect(ext(() => l.take('5.6.7.8', t + 10))).toBeNull();
    expect(ext(() => l.take('1.2.3.4', t + 10 * 60_000 + 1))).toBeNull();
  });
});
