import { filedWithRegion, isLate, mayAcknowledge, maySeeFiling } from './filing.rules';

describe('filing rules (Art. 7)', () => {
  it('files with the next level up', () => {
    expect(filedWithRegion('130821')).toBe('130800');
    expect(filedWithRegion('130800')).toBe('130000');
    expect(filedWithRegion('130000')).toBeNull();
  });

  it('is acknowledged only by the level filed with', () => {
    const city = { subject: 'c', role: 'CITY_AUTHORITY' as const, regions: ['130800'] };
    const county = { subject: 'k', role: 'COUNTY_AUTHORITY' as const, regions: ['130821'] };
    const otherCity = { subject: 'o', role: 'CITY_AUTHORITY' as const, regions: ['130700'] };
    expect(mayAcknowledge(city, '130800')).toBe(true);
    expect(mayAcknowledge(county, '130800')).toBe(false);
    expect(mayAcknowledge(otherCity, '130800')).toBe(false);
    expect(mayAcknowledge(city, '130000')).toBe(false);
    const province = { subject: 'p', role: 'PROVINCE_AUTHORITY' as const, regions: ['130000'] };
    expect(mayAcknowledge(province, '130000')).toBe(true);
    expect(mayAcknowledge(province, '130800')).toBe(false); // a county's filing is the city's to acknowledge
    expect(mayAcknowledge({ subject: 'p', role: 'PROVINCE_AUTHORITY', regions: ['110000'] }, '130000')).toBe(false);
    expect(mayAcknowledge({ subject: 's', role: 'SYSTEM_ADMIN', regions: [] }, '130000')).toBe(false);
    expect(maySeeFiling(province, { fromRegionCode: '130800', filedWithRegionCode: '130000' })).toBe(true);
    expect(maySeeFiling({ subject: 'a', role: 'AUDIT_ADMIN', regions: [] }, { fromRegionCode: '130800', filedWithRegionCode: '130000' })).toBe(false);
    const f = { fromRegionCode: '130821', filedWithRegionCode: '130800' };
    expect(maySeeFiling(county, f)).toBe(true);
    expect(maySeeFiling(otherCity, f)).toBe(false);
  });

  it('is late once the due day (China time) has passed', () => {
    expect(isLate('2026-10-13', new Date('2026-10-13T23:59:00+08:00'))).toBe(false);
    expect(isLate('2026-10-13', new Date('2026-10-14T00:00:00+08:00'))).toBe(true);
  });
});
