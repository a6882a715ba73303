import { CipherName, FieldCipher, FieldCipherError } from './field-cipher';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const HASH = Buffer.alloc(32, 9);
const CTX = 'enterprise.legal_representative';
const cipherOf = (cipher: CipherName, keys: Record<string, Buffer> = { k1: K1 }, active = 'k1') => new FieldCipher({ keys, active, cipher, hashKey: HASH });

/** The stored value with one base64url character of its body changed at `at` (from the body's start or, negative, its end). */
function flip(stored: string, at: number): string {
  const head = stored.slice(0, stored.lastIndexOf(':') + 1);
  const body = Buffer.from(stored.slice(head.length), 'base64url');
  body[at < 0 ? body.length + at : at] ^= 0x01;
  return head + body.toString('base64url');
}

describe.each<[CipherName, string, number]>([
  ['sm4-ctr-hmac-sm3', 'sm4ctr-hs3', 16],
  ['aes-256-gcm', 'a256gcm', 12],
])('field cipher %s', (name, tag, ivBytes) => {
  const c = cipherOf(name);

  it('round-trips text (Chinese, empty, long) in the self-describing format, a fresh IV each time', () => {
    for (const plain of ['欧阳建国', '', '130821199001011234', 'x'.repeat(5000)]) {
      const stored = c.encrypt(plain, CTX);
      expect(stored).toMatch(new RegExp(`^enc:v1:k1:${tag}:[A-Za-z0-9_-]+$`));
      expect(c.decrypt(stored, CTX)).toBe(plain);
    }
    const a = c.encrypt('张三', CTX);
    const b = c.encrypt('张三', CTX);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split(':')[4], 'base64url').subarray(0, ivBytes)).not.toEqual(Buffer.from(b.split(':')[4], 'base64url').subarray(0, ivBytes));
    expect(a).not.toContain(Buffer.from('张三').toString('base64url'));
  });

  it('refuses a tampered IV, ciphertext or tag with a clear error, never garbage', () => {
    const stored = c.encrypt('13812341234', CTX);
    for (const at of [0, ivBytes, ivBytes + 3, -1]) {
      expect(() => c.decrypt(flip(stored, at), CTX)).toThrow(FieldCipherError);
      expect(() => c.decrypt(flip(stored, at), CTX)).toThrow(/fails authentication/);
    }
    expect(() => c.decrypt(stored.slice(0, -4), CTX)).toThrow(/fails authentication/);
    expect(() => c.decrypt(stored.slice(0, stored.lastIndexOf(':') + 1) + 'AAAA', CTX)).toThrow(/fails authentication/);
  });

  it('refuses a changed header: key id, algorithm or version', () => {
    const both = cipherOf(name, { k1: K1, k2: K2 });
    const stored = both.encrypt('13812341234', CTX);
    expect(() => both.decrypt(stored.replace(':k1:', ':k2:'), CTX)).toThrow(/fails authentication/);
    const other = name === 'aes-256-gcm' ? 'sm4ctr-hs3' : 'a256gcm';
    expect(() => both.decrypt(stored.replace(`:${tag}:`, `:${other}:`), CTX)).toThrow(/fails authentication/);
    expect(() => both.decrypt(stored.replace(`:${tag}:`, ':rot13:'), CTX)).toThrow(/unknown algorithm rot13/);
    expect(() => both.decrypt(stored.replace('enc:v1:', 'enc:v2:'), CTX)).toThrow(/unknown format or version/);
    expect(() => both.decrypt(stored + ':x', CTX)).toThrow(/unknown format or version/);
  });

  it('refuses a value moved to another column (the context is authenticated)', () => {
    const stored = c.encrypt('130821199001011234', 'enterprise.legal_representative_id_number');
    expect(() => c.decrypt(stored, 'enterprise.contact_phone')).toThrow(/not of column enterprise.contact_phone/);
  });

  it('names an unknown key id without opening anything', () => {
    const stored = cipherOf(name, { k2: K2 }, 'k2').encrypt('x', CTX);
    let err: unknown;
    try {
      c.decrypt(stored, CTX);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FieldCipherError);
    expect((err as FieldCipherError).message).toBe('encrypted value under key k2, which is not configured (keys: k1)');
    expect((err as FieldCipherError).kid).toBe('k2');
  });

  it('refuses a value of the same key id made with different key material', () => {
    const stored = cipherOf(name, { k1: K2 }).encrypt('x', CTX);
    expect(() => c.decrypt(stored, CTX)).toThrow(/fails authentication/);
  });
});

describe('field cipher keys', () => {
  it('answers legacy plain text (no enc: prefix) as is', () => {
    expect(cipherOf('sm4-ctr-hmac-sm3').decrypt('王建国', CTX)).toBe('王建国');
  });

  it('decrypts with every configured key and encrypts with the active one only (rotation)', () => {
    const old = cipherOf('sm4-ctr-hmac-sm3').encrypt('张三', CTX);
    const rotated = cipherOf('aes-256-gcm', { k1: K1, k2: K2 }, 'k2');
    expect(rotated.decrypt(old, CTX)).toBe('张三');
    expect(rotated.isCurrent(old)).toBe(false);
    const now = rotated.encrypt('张三', CTX);
    expect(now.startsWith(rotated.activePrefix)).toBe(true);
    expect(rotated.isCurrent(now)).toBe(true);
    expect(cipherOf('sm4-ctr-hmac-sm3', { k2: K2 }, 'k2').decrypt(now, CTX)).toBe('张三');
  });

  it('keeps encryption and MAC keys apart (no key serves both algorithms)', () => {
    // The same key id and material under the other algorithm does not authenticate.
    const sm4 = cipherOf('sm4-ctr-hmac-sm3').encrypt('x', CTX);
    const [, , , , body] = sm4.split(':');
    expect(() => cipherOf('aes-256-gcm').decrypt(`enc:v1:k1:a256gcm:${body}`, CTX)).toThrow(/fails authentication/);
  });

  it('refuses bad key settings', () => {
    expect(() => cipherOf('sm4-ctr-hmac-sm3', { k1: Buffer.alloc(16) })).toThrow(/at least 32 bytes/);
    expect(() => cipherOf('sm4-ctr-hmac-sm3', { k1: K1 }, 'k2')).toThrow(/active key k2 is not among the configured keys \(k1\)/);
    expect(() => cipherOf('sm4-ctr-hmac-sm3', { 'k:1': K1 }, 'k:1')).toThrow(/key id/);
  });

  it('hashes for equality lookups: keyed, per column, as people write the value', () => {
    const c = cipherOf('sm4-ctr-hmac-sm3');
    const h = c.hash('138 1234 1234', 'tip.tipster_contact');
    expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.hash('13812341234', 'tip.tipster_contact')).toBe(h);
    expect(c.hash('１３８１２３４１２３４', 'tip.tipster_contact')).toBe(h); // full-width digits (NFKC)
    expect(c.hash('13812341234', 'false_info_report.reporter_contact')).not.toBe(h);
    expect(new FieldCipher({ keys: { k1: K1 }, active: 'k1', cipher: 'sm4-ctr-hmac-sm3', hashKey: K2 }).hash('13812341234', 'tip.tipster_contact')).not.toBe(h);
    // The data keys do not change it: a rotation leaves lookups working.
    expect(new FieldCipher({ keys: { k2: K2 }, active: 'k2', cipher: 'aes-256-gcm', hashKey: HASH }).hash('13812341234', 'tip.tipster_contact')).toBe(h);
  });
});
