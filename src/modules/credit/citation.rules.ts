/**
 * Citing the rules the Chinese way: 第十七条第（一）项 for article 17 item 1, 第十四条 for a
 * whole article, and "Art. 17(1)" / "Art. 14" in English. Pure.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/**
 * A positive integer below 10 000 in Chinese numerals as legal texts write them:
 * 1 一, 10 十, 11 十一, 20 二十, 32 三十二, 100 一百, 105 一百零五, 110 一百一十.
 */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) throw new RangeError(`cannot write ${n} in Chinese numerals (1–9999)`);
  if (n < 10) return DIGITS[n];
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`;
  const units = [
    [1000, '千'],
    [100, '百'],
    [10, '十'],
  ] as const;
  let out = '';
  let rest = n;
  let zero = false;
  for (const [value, name] of units) {
    const d = Math.floor(rest / value);
    rest %= value;
    if (d) {
      if (zero) out += '零';
      out += DIGITS[d] + name;
      zero = false;
    } else if (out) zero = true;
  }
  if (rest) out += (zero && out ? '零' : '') + DIGITS[rest];
  return out;
}

/** An article of the rules, optionally one of its numbered items (项). */
export interface Citation {
  article: number;
  item?: number;
}

/** 第十七条第（一）项, 第十四条. */
export function citeZh(c: Citation): string {
  return `第${chineseNumeral(c.article)}条${c.item ? `第（${chineseNumeral(c.item)}）项` : ''}`;
}

/** Art. 17(1), Art. 14. */
export function citeEn(c: Citation): string {
  return `Art. ${c.article}${c.item ? `(${c.item})` : ''}`;
}

/** Several citations together: 第十四条第（一）项、第十五条 / Art. 14(1), Art. 15. */
export function citeAll(cs: Citation[]): { zh: string; en: string } {
  return { zh: cs.map(citeZh).join('、'), en: cs.map(citeEn).join(', ') };
}
