import { creditCodeCheckChar, creditCodeProblem, withCheckChar } from './credit-code.rules';
import { jurisdictionPrefix, regionCodeProblem } from '../../platform/auth/region.rules';

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts published codes', () => {
    // Published codes of well-known legal persons.
    for (const c of ['91350100M000100Y43', '91110000600037341L', '911100001011112345'.slice(0, 17) + creditCodeCheckChar('91110000101111234')])
      expect(creditCodeProblem(c)).toBeNull();
  });
  it('names the expected check character', () => {
    const p = creditCodeProblem('91350100M000100Y44');
    expect(p).toEqual(expect.objectContaining({ kind: 'CHECK', expected: '3' }));
    expect(p!.message).toMatch(/expected '3' at position 18/);
  });
  it('a check value of 0 maps to the character 0', () => {
    expect(withCheckChar('91130800000000000')).toBe('911308000000000000');
    expect(creditCodeProblem('911308000000000000')).toBeNull();
  });
  it('rejects wrong length and forbidden letters', () => {
    expect(creditCodeProblem('9135')!.message).toMatch(/18 characters/);
    expect(creditCodeProblem('91350100M000100I43')!.message).toMatch(/invalid character 'I' at position 16/);
  });
});

describe('region codes', () => {
  it('accepts Chengde counties and rejects malformed codes', () => {
    expect(regionCodeProblem('130821')).toBeNull();
    expect(regionCodeProblem('13082')).toMatch(/6 digits/);
    expect(regionCodeProblem('990821')).toMatch(/province/);
  });
  it('jurisdiction prefixes', () => {
    expect(jurisdictionPrefix('130800')).toBe('1308');
    expect(jurisdictionPrefix('130821')).toBe('130821');
    expect(jurisdictionPrefix('130000')).toBe('13');
  });
});
