import { chineseNumeral, citeAll, citeEn, citeZh } from './citation.rules';

describe('citations the Chinese way', () => {
  it.each([
    [1, '一'],
    [9, '九'],
    [10, '十'],
    [11, '十一'],
    [14, '十四'],
    [17, '十七'],
    [20, '二十'],
    [21, '二十一'],
    [32, '三十二'],
    [100, '一百'],
    [105, '一百零五'],
    [110, '一百一十'],
    [1001, '一千零一'],
  ])('%i → %s', (n, zh) => expect(chineseNumeral(n)).toBe(zh));

  it('refuses what it cannot write', () => {
    expect(() => chineseNumeral(0)).toThrow(RangeError);
    expect(() => chineseNumeral(1.5)).toThrow(RangeError);
  });

  it('cites an item as 第十七条第（一）项 and Art. 17(1)', () => {
    expect(citeZh({ article: 17, item: 1 })).toBe('第十七条第（一）项');
    expect(citeZh({ article: 16, item: 4 })).toBe('第十六条第（四）项');
    expect(citeEn({ article: 17, item: 1 })).toBe('Art. 17(1)');
  });

  it('cites a whole article as 第十四条 and Art. 14', () => {
    expect(citeZh({ article: 14 })).toBe('第十四条');
    expect(citeZh({ article: 32 })).toBe('第三十二条');
    expect(citeEn({ article: 14 })).toBe('Art. 14');
  });

  it('joins several with 、', () => {
    expect(citeAll([{ article: 14, item: 1 }, { article: 15 }])).toEqual({ zh: '第十四条第（一）项、第十五条', en: 'Art. 14(1), Art. 15' });
  });
});
