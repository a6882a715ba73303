import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CipherName, KID_PATTERN, MIN_KEY_BYTES } from './field-cipher';

/** The file, inside the data directory, that holds its generated development data keys. */
export const DEV_DATA_KEY_FILE = 'dev-data-keys.json';

/** The keys that encrypt personal data and secrets at rest; they live outside the database. */
export interface DataKeys {
  /** Key id → key material. */
  keys: Record<string, Buffer>;
  /** The key id new values are encrypted with. */
  active: string;
  cipher: CipherName;
  /** The key of the keyed hashes (equality lookups). */
  hashKey: Buffer;
  /** Where the keys came from: the environment, a key file, or this data directory's generated development file. */
  source: 'env' | 'file' | 'dev';
  file?: string;
}

/** The JSON of `HUB_DATA_KEY_FILE` (and of the development file). */
interface KeyFile {
  active?: string;
  keys?: Record<string, string>;
  hashKey?: string;
}

function keyOf(where: string, b64: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) throw new Error(`${where}: not base64`);
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_KEY_BYTES) throw new Error(`${where}: must hold at least ${MIN_KEY_BYTES} random bytes (base64 of them; this one holds ${key.length})`);
  return key;
}

function keysOf(where: string, entries: [string, string][]): Record<string, Buffer> {
  const keys: Record<string, Buffer> = {};
  for (const [kid, b64] of entries) {
    // Never echo a bad key id: a mistyped entry may hold the key itself.
    if (!KID_PATTERN.test(kid)) throw new Error(`${where}: each entry is kid=base64, the key id 1-32 letters, digits, - or _`);
    if (keys[kid]) throw new Error(`${where}: key id ${kid} given twice`);
    keys[kid] = keyOf(`${where} ${kid}`, b64);
  }
  if (!Object.keys(keys).length) throw new Error(`${where}: no key`);
  return keys;
}

function activeOf(where: string, keys: Record<string, Buffer>, active: string | undefined): string {
  const kids = Object.keys(keys);
  if (!active) {
    if (kids.length === 1) return kids[0];
    throw new Error(`${where}: ${kids.length} keys given (${kids.join(', ')}): say which one encrypts (HUB_DATA_KEY_ACTIVE or "active")`);
  }
  if (!keys[active]) throw new Error(`${where}: the active key ${active} is not among the keys (${kids.join(', ')})`);
  return active;
}

function fromFile(file: string, cipher: CipherName, activeOverride: string | undefined, source: 'file' | 'dev'): DataKeys {
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  } catch (e) {
    throw new Error(`${file}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? 'not JSON'})`, { cause: e });
  }
  const keys = keysOf(file, Object.entries(parsed.keys ?? {}));
  if (!parsed.hashKey) throw new Error(`${file}: no "hashKey"`);
  return { keys, active: activeOf(file, keys, activeOverride ?? parsed.active), cipher, hashKey: keyOf(`${file} hashKey`, parsed.hashKey), source, file };
}

/**
 * This data directory's development keys: `<dataDir>/dev-data-keys.json`, generated (mode 0600)
 * on first use, the way the development JWT secret is (see dev-secret.ts): created with a hard
 * link from a temporary file so two processes starting together agree on one set of keys.
 */
export function devDataKeyFile(dataDir: string): string {
  const file = path.resolve(dataDir, DEV_DATA_KEY_FILE);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const body: KeyFile = { active: 'dev1', keys: { dev1: randomBytes(32).toString('base64') }, hashKey: randomBytes(32).toString('base64') };
  fs.writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process won the race: use its keys
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return file;
}

export interface DataKeySettings {
  /** `kid=base64,kid=base64`. */
  keys?: string;
  active?: string;
  file?: string;
  hashKey?: string;
  cipher: CipherName;
  production: boolean;
  dataDir: string;
}

/**
 * The data keys from the settings: `HUB_DATA_KEYS` (+ `HUB_DATA_KEY_ACTIVE`, `HUB_DATA_HASH_KEY`),
 * or `HUB_DATA_KEY_FILE`; outside production without either, the data directory's generated
 * development file. Throws an Error whose message names the setting at fault.
 */
export function readDataKeys(s: DataKeySettings): DataKeys {
  if (s.keys && s.file) throw new Error('HUB_DATA_KEYS, HUB_DATA_KEY_FILE: set one of them, not both');
  if (s.keys) {
    const entries = s.keys
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p): [string, string] => {
        const at = p.indexOf('=');
        if (at <= 0) throw new Error('HUB_DATA_KEYS: each entry is kid=base64, e.g. k1=…,k2=…');
        return [p.slice(0, at), p.slice(at + 1)];
      });
    const keys = keysOf('HUB_DATA_KEYS', entries);
    if (!s.hashKey)
      throw new Error('HUB_DATA_HASH_KEY: required with HUB_DATA_KEYS (base64 of 32+ random bytes; the key of the lookup hashes, kept across rotations)');
    return { keys, active: activeOf('HUB_DATA_KEYS', keys, s.active), cipher: s.cipher, hashKey: keyOf('HUB_DATA_HASH_KEY', s.hashKey), source: 'env' };
  }
  if (s.file) return fromFile(s.file, s.cipher, s.active, 'file');
  if (s.production)
    throw new Error(
      'HUB_DATA_KEYS or HUB_DATA_KEY_FILE: required when NODE_ENV=production (the keys that encrypt personal data and secrets at rest, kept outside the database)',
    );
  let file: string;
  try {
    file = devDataKeyFile(s.dataDir);
  } catch (e) {
    throw new Error(
      `HUB_DATA_DIR: cannot keep the development data keys in ${s.dataDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set HUB_DATA_KEYS or a writable HUB_DATA_DIR`,
      { cause: e },
    );
  }
  return fromFile(file, s.cipher, s.active, 'dev');
}
