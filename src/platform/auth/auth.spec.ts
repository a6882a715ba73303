import { coversRegion, inScope, mayDetermine, mayReadPersonal, mayReadRecordInternal, mayWrite } from './access.rules';
import { maskIdNumber, maskName, maskPhone } from './masking.rules';
import jwt from 'jsonwebtoken';
import { Principal, PUBLIC_PRINCIPAL, jurisdictionPrefixes, signToken, verifyToken } from './principal';

const secret = 'x'.repeat(32);
const e = { creditCode: '911308000000000000', regionCode: '130821' };

describe('tokens', () => {
  it('round-trips role and jurisdiction', () => {
    const p = verifyToken(signToken({ role: 'COUNTY_AUTHORITY', regions: ['130821'] }, secret), secret);
    expect(p).toEqual(expect.objectContaining({ role: 'COUNTY_AUTHORITY', regions: ['130821'] }));
  });
  it('rejects a token signed with another secret as UNAUTHENTICATED', () => {
    const t = signToken({ role: 'SYSTEM_ADMIN' }, 'y'.repeat(32));
    expect(() => verifyToken(t, secret)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });
  it('refuses to sign an authority token without a jurisdiction', () => {
    expect(() => signToken({ role: 'CITY_AUTHORITY' }, secret)).toThrow(/--region/);
    expect(() => signToken({ role: 'PROVINCE_AUTHORITY' }, secret)).toThrow(/--region/);
    expect(() => signToken({ role: 'PROVINCE_AUTHORITY', regions: ['130800'] }, secret)).toThrow(/province/);
  });
  it('refuses to sign an administrator token with a jurisdiction', () => {
    for (const role of ['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN'] as const)
      expect(() => signToken({ role, regions: ['130000'] }, secret)).toThrow(/no --region/);
  });
  it('refuses a retired ADMIN token as UNAUTHENTICATED, naming the roles its duties went to', () => {
    const old = jwt.sign({ role: 'ADMIN', regions: [] }, secret, { subject: 'admin:old', expiresIn: '1h' });
    let err: unknown;
    try {
      verifyToken(old, secret);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    for (const role of ['PROVINCE_AUTHORITY', 'SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN']) expect((err as Error).message).toContain(role);
  });
  it('never accepts the internal SYSTEM role from a token', () => {
    const forged = jwt.sign({ role: 'SYSTEM', regions: [] }, secret, { subject: 'system:x', expiresIn: '1h' });
    expect(() => verifyToken(forged, secret)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });
});

describe('jurisdiction', () => {
  const county = (regions: string[]): Principal => ({ subject: 's', role: 'COUNTY_AUTHORITY', regions });
  it('a city authority covers its counties; a county only itself', () => {
    expect(inScope({ subject: 's', role: 'CITY_AUTHORITY', regions: ['130800'] }, e)).toBe(true);
    expect(inScope(county(['130821']), e)).toBe(true);
    expect(inScope(county(['130822']), e)).toBe(false);
  });
  it('an enterprise sees only itself', () => {
    expect(inScope({ subject: 's', role: 'ENTERPRISE', regions: [], creditCode: e.creditCode }, e)).toBe(true);
    expect(inScope({ subject: 's', role: 'ENTERPRISE', regions: [], creditCode: 'other' }, e)).toBe(false);
  });
  it('the public may not see personal data nor write', () => {
    expect(mayReadPersonal(PUBLIC_PRINCIPAL, e)).toBe(false);
    expect(mayWrite(PUBLIC_PRINCIPAL, e)).toBe(false);
    expect(mayWrite({ subject: 's', role: 'CREDIT_AUTHORITY', regions: [] }, e)).toBe(false);
  });
});

describe('Art. 9: determining where the conduct happened', () => {
  const xinglong: Principal = { subject: 's', role: 'COUNTY_AUTHORITY', regions: ['130822'] };
  const city: Principal = { subject: 's', role: 'CITY_AUTHORITY', regions: ['130800'] };
  it('lets the conduct region determine for an enterprise registered elsewhere, not a region that covers neither', () => {
    expect(mayDetermine(xinglong, e, '130822')).toBe(true);
    expect(mayDetermine(xinglong, e, '130821')).toBe(false);
    expect(mayDetermine(city, { creditCode: 'x', regionCode: '110105' }, '130881')).toBe(true);
    expect(mayDetermine({ subject: 's', role: 'CREDIT_AUTHORITY', regions: ['130822'] }, e, '130822')).toBe(false);
    expect(mayDetermine(PUBLIC_PRINCIPAL, e, '130821')).toBe(false);
  });
  it("shows a record's internal facts to the conduct or determining authority, not to a third county", () => {
    const r = { conductRegionCode: '130822', determiningRegionCode: '130822' };
    expect(mayReadRecordInternal(xinglong, e, r)).toBe(true);
    expect(mayReadRecordInternal({ subject: 's', role: 'COUNTY_AUTHORITY', regions: ['130821'] }, e, r)).toBe(true);
    expect(mayReadRecordInternal({ subject: 's', role: 'COUNTY_AUTHORITY', regions: ['130824'] }, e, r)).toBe(false);
    expect(mayReadRecordInternal(PUBLIC_PRINCIPAL, e, r)).toBe(false);
  });
  it('an unscoped partner agency covers no region for determining', () => {
    expect(coversRegion({ subject: 's', role: 'PARTNER_AGENCY', regions: [] }, '130821')).toBe(false);
    expect(coversRegion({ subject: 's', role: 'SYSTEM', regions: [] }, '130821')).toBe(true);
    expect(coversRegion({ subject: 's', role: 'PROVINCE_AUTHORITY', regions: ['130000'] }, '130821')).toBe(true);
    expect(coversRegion({ subject: 's', role: 'PROVINCE_AUTHORITY', regions: ['110000'] }, '130821')).toBe(false);
  });
});

describe('separated duties (三员分立): the administrators have no jurisdiction', () => {
  it('whatever regions their token carried', () => {
    for (const role of ['SYSTEM_ADMIN', 'SECURITY_ADMIN', 'AUDIT_ADMIN'] as const) {
      const p: Principal = { subject: 's', role, regions: ['130000'] };
      expect(jurisdictionPrefixes(p)).toEqual([]);
      expect(inScope(p, e)).toBe(false);
      expect(mayWrite(p, e)).toBe(false);
      expect(mayReadPersonal(p, e)).toBe(false);
      expect(mayDetermine(p, e, '130821')).toBe(false);
      expect(coversRegion(p, '130821')).toBe(false);
    }
  });
  it('a provincial authority supervises its province', () => {
    const p: Principal = { subject: 's', role: 'PROVINCE_AUTHORITY', regions: ['130000'] };
    expect(jurisdictionPrefixes(p)).toEqual(['13']);
    expect(mayWrite(p, e)).toBe(true);
    expect(mayDetermine(p, e, '130821')).toBe(true);
    expect(mayWrite(p, { creditCode: 'x', regionCode: '110105' })).toBe(false);
  });
});

describe('masking', () => {
  it('masks phones, ID numbers and names', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskIdNumber('130821199001011234')).toBe('130821********1234');
    expect(maskName('王建国')).toBe('王**');
  });
});
