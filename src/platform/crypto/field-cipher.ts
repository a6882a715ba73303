/**
 * Authenticated encryption of single database values (personal data, secrets), with the key id
 * on every value so several keys can be live during a rotation.
 *
 * Text format: `enc:v1:<kid>:<alg>:<base64url(iv ‖ ciphertext ‖ tag)>`
 * - `sm4ctr-hs3` (default, national algorithms): SM4-CTR, 16-byte random IV, then HMAC-SM3
 *   (32-byte tag) over version, kid, alg, IV, ciphertext and the context (encrypt-then-MAC).
 *   Node 20's OpenSSL 3.0 has no SM4-GCM, hence the composition.
 * - `a256gcm` (setting): AES-256-GCM, 12-byte random IV, 16-byte tag, the same header and
 *   context as associated data.
 * The encryption and MAC keys are derived from one configured key with HKDF-SM3 under
 * distinct labels, so a key never serves two purposes. The context is `table.column`: a value
 * copied into another column fails to open. A value without the `enc:` prefix is legacy plain
 * text (written before encryption) and is answered as is.
 *
 * @example
 *   const c = new FieldCipher({ keys: { k1: key }, active: 'k1', cipher: 'sm4-ctr-hmac-sm3' });
 *   const stored = c.encrypt('张三', 'enterprise.legal_representative'); // enc:v1:k1:sm4ctr-hs3:…
 *   c.decrypt(stored, 'enterprise.legal_representative'); // '张三'
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export type CipherName = 'sm4-ctr-hmac-sm3' | 'aes-256-gcm';
export const CIPHER_NAMES: readonly CipherName[] = ['sm4-ctr-hmac-sm3', 'aes-256-gcm'];

/** The prefix every encrypted value starts with. */
export const ENC_PREFIX = 'enc:v1:';
const VERSION = 'v1';
const ALG_TAG: Record<CipherName, string> = { 'sm4-ctr-hmac-sm3': 'sm4ctr-hs3', 'aes-256-gcm': 'a256gcm' };
const TAG_ALG: Record<string, CipherName> = { 'sm4ctr-hs3': 'sm4-ctr-hmac-sm3', a256gcm: 'aes-256-gcm' };
/** Key ids: short, and free of the format's separator. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** The smallest configured key. */
export const MIN_KEY_BYTES = 32;

/** A value that cannot be opened: tampered, wrong column, unknown key, malformed. Never carries the value. */
export class FieldCipherError extends Error {
  constructor(
    message: string,
    /** The key id the value names, when it names one. */
    readonly kid?: string,
  ) {
    super(message);
    this.name = 'FieldCipherError';
  }
}

export interface FieldCipherOptions {
  /** Key id → key material (at least 32 bytes). Every key decrypts; only `active` encrypts. */
  keys: Record<string, Buffer>;
  active: string;
  cipher: CipherName;
  /** The key of the keyed hashes (`hash`); absent: `hash` throws. Kept apart from the data keys and not rotated with them. */
  hashKey?: Buffer;
}

interface Derived {
  sm4: Buffer;
  sm4Mac: Buffer;
  aes: Buffer;
}

const derive = (key: Buffer, label: string, length: number) => Buffer.from(hkdfSync('sm3', key, Buffer.alloc(0), `water-credit-hub field ${label}`, length));

/** Length-prefixed parts, so no two different headers give the same MAC input. */
function framed(parts: (string | Buffer)[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    out.push(len, b);
  }
  return Buffer.concat(out);
}

export class FieldCipher {
  readonly active: string;
  readonly cipher: CipherName;
  private readonly keys = new Map<string, Derived>();
  private readonly hashKey?: Buffer;

  constructor(opts: FieldCipherOptions) {
    for (const [kid, key] of Object.entries(opts.keys)) {
      if (!KID_PATTERN.test(kid)) throw new FieldCipherError(`key id "${kid}" must be 1-32 letters, digits, - or _`);
      if (key.length < MIN_KEY_BYTES) throw new FieldCipherError(`key ${kid} must hold at least ${MIN_KEY_BYTES} bytes (it holds ${key.length})`, kid);
      this.keys.set(kid, { sm4: derive(key, 'sm4-ctr', 16), sm4Mac: derive(key, 'hmac-sm3', 32), aes: derive(key, 'aes-256-gcm', 32) });
    }
    if (!this.keys.has(opts.active))
      throw new FieldCipherError(`the active key ${opts.active} is not among the configured keys (${this.kids.join(', ')})`, opts.active);
    this.active = opts.active;
    this.cipher = opts.cipher;
    if (opts.hashKey) {
      if (opts.hashKey.length < MIN_KEY_BYTES) throw new FieldCipherError(`the hash key must hold at least ${MIN_KEY_BYTES} bytes`);
      this.hashKey = derive(opts.hashKey, 'keyed-hash', 32);
    }
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** The prefix of values already under the active key (the rotation's "done" test). */
  get activePrefix(): string {
    return `${ENC_PREFIX}${this.active}:`;
  }

  /** Encrypts `plain` for the column `context` (`table.column`) with the active key and a fresh IV. */
  encrypt(plain: string, context: string): string {
    const k = this.keys.get(this.active)!;
    const alg = ALG_TAG[this.cipher];
    const data = Buffer.from(plain, 'utf8');
    let blob: Buffer;
    if (this.cipher === 'sm4-ctr-hmac-sm3') {
      const iv = randomBytes(16);
      const c = createCipheriv('sm4-ctr', k.sm4, iv);
      const ct = Buffer.concat([c.update(data), c.final()]);
      const tag = createHmac('sm3', k.sm4Mac)
        .update(framed([VERSION, this.active, alg, iv, ct, context]))
        .digest();
      blob = Buffer.concat([iv, ct, tag]);
    } else {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k.aes, iv);
      c.setAAD(framed([VERSION, this.active, alg, context]));
      const ct = Buffer.concat([c.update(data), c.final()]);
      blob = Buffer.concat([iv, ct, c.getAuthTag()]);
    }
    return `${ENC_PREFIX}${this.active}:${alg}:${blob.toString('base64url')}`;
  }

  /**
   * Opens a stored value of the column `context`. Legacy plain text (no `enc:` prefix) comes back
   * as is; anything else either opens and authenticates or throws {@link FieldCipherError}.
   */
  decrypt(stored: string, context: string): string {
    if (!stored.startsWith('enc:')) return stored;
    const parts = stored.split(':');
    if (parts.length !== 5 || parts[1] !== VERSION) throw new FieldCipherError('encrypted value: unknown format or version');
    const [, , kid, alg, body] = parts;
    const k = this.keys.get(kid);
    if (!k) throw new FieldCipherError(`encrypted value under key ${kid}, which is not configured (keys: ${this.kids.join(', ')})`, kid);
    const name = TAG_ALG[alg];
    if (!name) throw new FieldCipherError(`encrypted value: unknown algorithm ${alg}`, kid);
    if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new FieldCipherError('encrypted value: malformed body', kid);
    const blob = Buffer.from(body, 'base64url');
    const fail = () => new FieldCipherError(`encrypted value under key ${kid} fails authentication (tampered, or not of column ${context})`, kid);
    if (name === 'sm4-ctr-hmac-sm3') {
      if (blob.length < 16 + 32) throw fail();
      const iv = blob.subarray(0, 16);
      const ct = blob.subarray(16, blob.length - 32);
      const tag = blob.subarray(blob.length - 32);
      const expected = createHmac('sm3', k.sm4Mac)
        .update(framed([VERSION, kid, alg, iv, ct, context]))
        .digest();
      if (!timingSafeEqual(tag, expected)) throw fail();
      const d = createDecipheriv('sm4-ctr', k.sm4, iv);
      return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    }
    if (blob.length < 12 + 16) throw fail();
    const iv = blob.subarray(0, 12);
    const ct = blob.subarray(12, blob.length - 16);
    const d = createDecipheriv('aes-256-gcm', k.aes, iv);
    d.setAAD(framed([VERSION, kid, alg, context]));
    d.setAuthTag(blob.subarray(blob.length - 16));
    try {
      return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    } catch {
      throw fail();
    }
  }

  /** Whether a stored value is already encrypted under the active key. */
  isCurrent(stored: string): boolean {
    return stored.startsWith(this.activePrefix);
  }

  /**
   * A keyed hash (HMAC-SM3, base64url) of `value` for equality lookups in column `context`,
   * over the value as people write it (NFKC, trimmed, case and inner spaces ignored), so the same
   * phone or ID number finds the same rows however it was typed.
   */
  hash(value: string, context: string): string {
    if (!this.hashKey) throw new FieldCipherError('no hash key configured');
    const normal = value.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
    return createHmac('sm3', this.hashKey)
      .update(framed([VERSION, context, normal]))
      .digest('base64url');
  }
}
