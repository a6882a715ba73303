/**
 * The language a caller reads the hub's texts in: Chinese (the officers' language) unless the
 * caller prefers English. Read from `Accept-Language` (HTTP, or the WebSocket upgrade request)
 * or a graphql-ws `connectionParams.lang` / `acceptLanguage`; a `lang` argument on a field wins.
 */
export const LANGS = ['ZH', 'EN'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * `Accept-Language` → ZH or EN: the highest-q tag among zh* and en* decides; a tie, no header,
 * `*` or only other languages give ZH. Malformed parts are skipped.
 *
 * @example langFromAcceptLanguage('en-US,en;q=0.9,zh;q=0.5') // 'EN'
 * @example langFromAcceptLanguage('zh-CN, en;q=0.8') // 'ZH'
 */
export function langFromAcceptLanguage(header: string | string[] | undefined | null): Lang {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return 'ZH';
  let zh = 0;
  let en = 0;
  for (const part of value.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q < 0 || q > 1) continue;
    const primary = tag.trim().split('-')[0];
    if (primary === 'zh') zh = Math.max(zh, q);
    else if (primary === 'en') en = Math.max(en, q);
  }
  return en > zh ? 'EN' : 'ZH';
}

/** A graphql-ws `connectionParams` language: `lang: 'EN'|'ZH'` (any case), else an `acceptLanguage` / `Accept-Language` value. */
export function langFromConnectionParams(params: Record<string, unknown> | undefined | null): Lang | undefined {
  if (!params) return undefined;
  const lang = params.lang;
  if (typeof lang === 'string') {
    const up = lang.toUpperCase();
    if (up === 'EN' || up === 'ZH') return up;
    return langFromAcceptLanguage(lang);
  }
  const header = params.acceptLanguage ?? params['Accept-Language'] ?? params['accept-language'];
  return typeof header === 'string' ? langFromAcceptLanguage(header) : undefined;
}

/** The text of a bilingual value in `lang`. */
export function textIn(lang: Lang, t: { zh: string; en: string }): string {
  return lang === 'EN' ? t.en : t.zh;
}
