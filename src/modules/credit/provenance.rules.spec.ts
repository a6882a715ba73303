import {
  authorityKindOf,
  authorityNameZh,
  awardedByGovernment,
  chineseDate,
  defaultPublicSummary,
  determiningRegion,
  letterText,
  needsLetter,
  publicSummaryProblem,
} from './provenance.rules';

describe('determining authority', () => {
  it('reads the level from the GB/T 2260 code', () => {
    expect(authorityKindOf('130000')).toBe('PROVINCIAL_WATER_AUTHORITY');
    expect(authorityKindOf('130800')).toBe('CITY_WATER_AUTHORITY');
    expect(authorityKindOf('130881')).toBe('COUNTY_WATER_AUTHORITY');
    expect(authorityNameZh('130881')).toBe('平泉市水行政主管部门');
    expect(authorityNameZh('110105')).toBe('行政区划 110105水行政主管部门');
  });
  it('is the most local region of the jurisdiction covering the conduct; the conduct region itself for an unscoped caller', () => {
    expect(determiningRegion(['130800'], '130821')).toBe('130800');
    expect(determiningRegion(['130800', '130821'], '130821')).toBe('130821');
    expect(determiningRegion(['130822'], '130821')).toBeNull();
    expect(determiningRegion([], '130821')).toBe('130821');
  });
  it('sends a letter (Art. 9) only when the conduct lies outside the registration region', () => {
    expect(needsLetter('130822', '130821')).toBe(true);
    expect(needsLetter('130821', '130821')).toBe(false);
    expect(needsLetter('130821', '130800')).toBe(false);
    expect(needsLetter('130821', '110105')).toBe(true);
  });
});

describe('public summary', () => {
  const at = new Date('2026-02-12T02:00:00Z');
  it('is generated from indicator name, level and date, naming no officer', () => {
    const s = defaultPublicSummary({
      kind: 'DISHONESTY',
      indicator: '2.3',
      indicatorNameZh: '在线计量联网',
      level: 'SERIOUS',
      occurredAt: at,
      sourceAct: 'ADMINISTRATIVE_PENALTY',
    });
    expect(s).toBe('2026年2月12日，该企业在“在线计量联网”（评价指标 2.3）方面存在较重失信行为，依据行政处罚认定。');
  });
  it('uses the China date', () => expect(chineseDate(new Date('2026-02-11T17:00:00Z'))).toBe('2026年2月12日'));
  it('refuses phone and ID numbers and personal names', () => {
    expect(publicSummaryProblem('未按规定安装计量设施')).toBeNull();
    expect(publicSummaryProblem('联系人电话13812341234')).toMatch(/个人信息/);
    expect(publicSummaryProblem('负责人130821199001011234')).toMatch(/个人信息/);
    expect(publicSummaryProblem('法定代表人王建国拒绝检查', ['王建国'])).toMatch(/姓名/);
    expect(publicSummaryProblem('x'.repeat(501))).toMatch(/500/);
  });
});

describe('honors', () => {
  it('derives the government award from the awarding body, never assuming it', () => {
    expect(awardedByGovernment('GOVERNMENT_DEPARTMENT')).toBe(true);
    expect(awardedByGovernment('INDUSTRY_ASSOCIATION')).toBe(false);
    expect(awardedByGovernment('PARTY_OR_PEOPLES_ORGANISATION')).toBe(false);
    expect(awardedByGovernment(null)).toBeNull();
    expect(awardedByGovernment(undefined)).toBeNull();
  });
});

describe('letter (函告)', () => {
  it('has the subject line of the rules and names the enterprise, not a person', () => {
    const t = letterText({
      enterpriseName: '承德某某矿业有限公司',
      creditCode: '911308210000000000',
      registrationRegion: '130821',
      conductRegion: '130822',
      fromRegion: '130822',
      indicator: '1.2',
      indicatorNameZh: '计划用水执行',
      level: 'SERIOUS',
      occurredAt: new Date('2026-01-05T02:00:00Z'),
      determinedAt: new Date('2026-01-20T02:00:00Z'),
      sourceAct: 'ADMINISTRATIVE_PENALTY',
      sourceDocumentNo: '兴水罚〔2026〕3号',
    });
    expect(t.subject).toBe('关于承德某某矿业有限公司失信信息认定情况的函');
    expect(t.body).toMatch(/^承德县水行政主管部门：/);
    expect(t.body).toContain('第九条');
    expect(t.body).toContain('兴水罚〔2026〕3号');
    expect(t.body).toContain('兴隆县水行政主管部门');
  });
});
