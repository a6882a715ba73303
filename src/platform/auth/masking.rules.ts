/** Masking of personal data for callers who may not see it (Art. 7; digital-government plan: dynamic masking). */

/** 13812341234 → 138****1234; landlines keep their last 4 too. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s|-/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

/** ID-like numbers keep the first 6 and last 4: 130821199001011234 → 130821********1234. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

/** A person's name keeps its first character: 王建国 → 王**. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}
