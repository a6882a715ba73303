import { createHash } from 'node:crypto';
import { AUDIT_DETAIL_LIMIT, AUDIT_STRING_LIMIT, safeDetail, safeText } from './audit.sanitize';

const sm3 = (s: string) => createHash('sm3').update(s).digest('hex');

describe('audit values Postgres can always store', () => {
  it('a string with a NUL byte becomes a cut (NUL replaced) with its SM3 digest and length', () => {
    const s = 'A\u0000B';
    expect(safeDetail({ reason: s })).toEqual({ reason: { cut: 'A\uFFFDB', sm3: sm3(s), length: 3 } });
    expect(safeText(s)).toEqual({ value: 'A\uFFFDB', digest: { cut: 'A\uFFFDB', sm3: sm3(s), length: 3 } });
  });

  it('a huge string keeps its first characters and its digest; a short safe one is kept as is', () => {
    const big = 'x'.repeat(1_000_000);
    const d = safeDetail({ reason: big, level: 'GENERAL', n: 3 }) as { reason: { cut: string; sm3: string; length: number } };
    expect(d.reason.cut).toHaveLength(AUDIT_STRING_LIMIT);
    expect(d.reason).toMatchObject({ sm3: sm3(big), length: 1_000_000 });
    expect(d).toMatchObject({ level: 'GENERAL', n: 3 });
    expect(safeText('91130821MB0000011X')).toEqual({ value: '91130821MB0000011X' });
  });

  it('lone surrogates (which jsonb refuses) are replaced; a pair is kept', () => {
    expect((safeDetail({ a: 'x\uD800y' }).a as { cut: string }).cut).toBe('x\uFFFDy');
    expect(safeDetail({ a: '水\uD83D\uDCA7' })).toEqual({ a: '水\uD83D\uDCA7' });
  });

  it('a detail too large as a whole is stored as a cut of its serialisation', () => {
    const ids = Array.from({ length: 900 }, (_, i) => `enterprise-${i}`.repeat(10).slice(0, 100));
    const d = safeDetail({ ids });
    expect(JSON.stringify(d).length).toBeLessThan(AUDIT_DETAIL_LIMIT);
    expect(d.oversized).toMatchObject({ sm3: sm3(JSON.stringify({ ids })) });
  });
});
