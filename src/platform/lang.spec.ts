import { langFromAcceptLanguage, langFromConnectionParams, textIn } from './lang';

describe('request language', () => {
  it.each([
    [undefined, 'ZH'],
    ['', 'ZH'],
    ['*', 'ZH'],
    ['zh-CN', 'ZH'],
    ['en', 'EN'],
    ['en-US,en;q=0.9', 'EN'],
    ['en-US,en;q=0.9,zh-CN;q=0.8', 'EN'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'ZH'],
    ['en;q=0.5, zh;q=0.9', 'ZH'],
    ['zh;q=0.3, EN;q=0.7', 'EN'],
    ['en, zh', 'ZH'],
    ['fr-FR', 'ZH'],
    ['fr, en;q=0.4', 'EN'],
    ['en;q=abc, zh;q=0.1', 'ZH'],
    ['en;q=0', 'ZH'],
  ])('Accept-Language %p → %s', (h, lang) => expect(langFromAcceptLanguage(h)).toBe(lang));

  it('takes a list of headers', () => expect(langFromAcceptLanguage(['fr', 'en'])).toBe('EN'));

  it('reads graphql-ws connectionParams', () => {
    expect(langFromConnectionParams({ lang: 'en' })).toBe('EN');
    expect(langFromConnectionParams({ lang: 'ZH' })).toBe('ZH');
    expect(langFromConnectionParams({ acceptLanguage: 'en-GB' })).toBe('EN');
    expect(langFromConnectionParams({ authorization: 'x' })).toBeUndefined();
    expect(langFromConnectionParams(undefined)).toBeUndefined();
  });

  it('picks the text', () => expect(textIn('EN', { zh: '中', en: 'en' })).toBe('en'));
});
