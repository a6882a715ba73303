import { checkGrant, GRANT_MAX_DAYS } from './grant.rules';
import { purposeFromHeader } from '../enterprise/result-access';

const DAY = 86_400_000;
const NOW = Date.parse('2026-09-28T02:00:00Z');
const OWN = '91130821MA0000001X';
const base = { grantee: { agency: '承德银行' }, purpose: '贷款审批', validUntil: new Date(NOW + 30 * DAY) };
const field = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { extensions: { code: string; field?: string } }).extensions;
  }
  throw new Error('accepted');
};

describe('checkGrant (Art. 23)', () => {
  it('accepts a named grantee for a stated purpose; validFrom defaults to now; names are trimmed', () => {
    expect(checkGrant({ ...base, grantee: { agency: ' 承德银行 ', subject: '' } }, OWN, NOW)).toEqual({
      granteeSubject: null,
      granteeAgency: '承德银行',
      purpose: '贷款审批',
      validFrom: new Date(NOW),
      validUntil: new Date(NOW + 30 * DAY),
    });
  });

  it('refuses the public, a nameless grantee and the enterprise itself', () => {
    expect(field(() => checkGrant({ ...base, grantee: {} }, OWN, NOW))).toEqual({ code: 'BAD_USER_INPUT', field: 'grantee' });
    expect(field(() => checkGrant({ ...base, grantee: { subject: 'Anonymous' } }, OWN, NOW))).toEqual({ code: 'BAD_USER_INPUT', field: 'grantee.subject' });
    expect(field(() => checkGrant({ ...base, grantee: { subject: OWN } }, OWN, NOW)).field).toBe('grantee.subject');
  });

  it('needs a purpose of at most 500 characters', () => {
    expect(field(() => checkGrant({ ...base, purpose: ' ' }, OWN, NOW)).field).toBe('purpose');
    expect(field(() => checkGrant({ ...base, purpose: '用'.repeat(501) }, OWN, NOW)).field).toBe('purpose');
    expect(checkGrant({ ...base, purpose: '用'.repeat(500) }, OWN, NOW).purpose).toHaveLength(500);
  });

  it('a window after validFrom, not past, at most a year long, starting at most a year ahead', () => {
    expect(field(() => checkGrant({ ...base, validFrom: new Date(NOW + 2 * DAY), validUntil: new Date(NOW + DAY) }, OWN, NOW)).field).toBe('validUntil');
    expect(field(() => checkGrant({ ...base, validFrom: new Date(NOW - 2 * DAY), validUntil: new Date(NOW - DAY) }, OWN, NOW)).field).toBe('validUntil');
    expect(field(() => checkGrant({ ...base, validUntil: new Date(NOW + (GRANT_MAX_DAYS + 1) * DAY) }, OWN, NOW)).field).toBe('validUntil');
    expect(checkGrant({ ...base, validUntil: new Date(NOW + GRANT_MAX_DAYS * DAY) }, OWN, NOW).validUntil).toEqual(new Date(NOW + GRANT_MAX_DAYS * DAY));
    expect(field(() => checkGrant({ ...base, validFrom: new Date(NOW + 400 * DAY), validUntil: new Date(NOW + 401 * DAY) }, OWN, NOW)).field).toBe('validFrom');
  });
});

describe('purposeFromHeader', () => {
  it('decodes URL-encoded UTF-8, keeps an undecodable value as sent, drops blanks', () => {
    expect(purposeFromHeader(encodeURIComponent('评优评先审核（第十八条）'))).toBe('评优评先审核（第十八条）');
    expect(purposeFromHeader('100%')).toBe('100%');
    expect(purposeFromHeader('credit+check')).toBe('credit check');
    expect(purposeFromHeader('  ')).toBeNull();
    expect(purposeFromHeader(undefined)).toBeNull();
    expect([...purposeFromHeader(encodeURIComponent('用'.repeat(600)))!]).toHaveLength(500);
  });
});
