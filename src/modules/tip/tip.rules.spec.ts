import { checkEvidenceRefs, checkTipContent, checkTipVerifiable, checkTipster, tipReceiptNumber } from './tip.rules';
import { RateLimiter } from '../intake/intake.rules';

const ext = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions: Record<string, unknown> }).extensions;
  }
  return null;
};

describe('tip rules (Art. 8)', () => {
  it('receipt numbers are XS + the China date + 12 base32 characters', () => {
    const at = new Date('2026-12-01T17:00:00Z'); // 2026-12-02 01:00 China time
    expect(tipReceiptNumber(at)).toMatch(/^XS20261202[A-HJ-NP-Z2-9]{12}$/);
    expect(tipReceiptNumber(at)).not.toBe(tipReceiptNumber(at));
  });

  it('checks content, the tipster and evidence references', () => {
    expect(checkTipContent(' 私自取水 ')).toBe('私自取水');
    expect(ext(() => checkTipContent(' '))).toEqual({ code: 'BAD_USER_INPUT', field: 'content' });
    expect(checkTipster('NEWS_MEDIA', { tipsterOrganisation: ' 承德日报 ', tipsterName: ' ' })).toEqual({
      name: null,
      organisation: '承德日报',
      contact: null,
    });
    expect(ext(() => checkTipster('CITIZEN', { tipsterOrganisation: '某单位' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'tipsterOrganisation' });
    expect(ext(() => checkTipster('CITIZEN', { tipsterContact: 'x'.repeat(201) }))).toEqual({ code: 'BAD_USER_INPUT', field: 'tipsterContact' });
    expect(checkEvidenceRefs([' a.jpg '])).toEqual(['a.jpg']);
    expect(checkEvidenceRefs(null)).toEqual([]);
    expect(ext(() => checkEvidenceRefs(['']))).toEqual({ code: 'BAD_USER_INPUT', field: 'evidenceRefs' });
    expect(ext(() => checkTipVerifiable('UNFOUNDED'))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('the shared rate limiter names what it limits', () => {
    const l = new RateLimiter(1, 60_000, { zh: '线索提交', en: 'tips' });
    l.take('a', 0);
    try {
      l.take('a', 1);
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as Error).message).toContain('Too many tips');
    }
  });
});
