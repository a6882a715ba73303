/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a
 * 31-character alphabet (no I, O, S, V, Z); position 18 is a mod-31 check character.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters of a code. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  return ALPHABET[(31 - (sum % 31)) % 31];
}

export type CreditCodeProblem = { kind: 'FORMAT'; message: string } | { kind: 'CHECK'; message: string; expected: string };

/** Returns what is wrong with a code, or null when it is valid. */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return { kind: 'FORMAT', message: `unified social credit code must have 18 characters, got ${code.length}` };
  const bad = [...code].findIndex((c) => !ALPHABET.includes(c));
  if (bad >= 0)
    return {
      kind: 'FORMAT',
      message: `unified social credit code has an invalid character '${code[bad]}' at position ${bad + 1} (allowed: digits and ${ALPHABET.slice(10)})`,
    };
  if (!/^[1-9A-HJ-NP-RTUWXY][1-9A-HJ-NP-RTUWXY]\d{6}/.test(code))
    return { kind: 'FORMAT', message: 'unified social credit code: positions 1–2 must be a registration authority and type code, positions 3–8 a region code' };
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (code[17] !== expected)
    return {
      kind: 'CHECK',
      expected,
      message: `unified social credit code ${code} fails its check character: expected '${expected}' at position 18, got '${code[17]}'`,
    };
  return null;
}

/** Builds a valid code from 17 characters (demo data, tests). */
export function withCheckChar(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}
