import { loadConfig } from '../config';
import type { DataKeys } from './data-keys';
import { FieldCipher } from './field-cipher';

/**
 * The process's field cipher. Repositories encrypt on write and decrypt on read through it,
 * without a key passed down every call: the keys are process configuration, like the logger's
 * level. Entry points install the configured keys (`useDataKeys`); anything that runs before
 * (a script, a test calling services) gets the keys `loadConfig()` reads from the environment.
 */
let current: FieldCipher | undefined;

export function cipherOfKeys(k: DataKeys): FieldCipher {
  return new FieldCipher({ keys: k.keys, active: k.active, cipher: k.cipher, hashKey: k.hashKey });
}

/** Installs the keys every later read and write uses (all decrypt, the active one encrypts). */
export function useDataKeys(k: DataKeys | FieldCipher): FieldCipher {
  current = k instanceof FieldCipher ? k : cipherOfKeys(k);
  return current;
}

export function fieldCipher(): FieldCipher {
  return (current ??= cipherOfKeys(loadConfig().dataKeys));
}

/** A value as stored in column `context` (`table.column`): encrypted; null stays null. */
export function seal(context: string, value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : fieldCipher().encrypt(value, context);
}

/** A stored value of column `context`, decrypted (legacy plain text as is); null stays null. */
export function unseal(context: string, stored: string | null | undefined): string | null {
  return stored === null || stored === undefined ? null : fieldCipher().decrypt(stored, context);
}

/** The keyed hash of a value of column `context` (for its `*_hmac` column); null stays null. */
export function lookupHash(context: string, value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : fieldCipher().hash(value, context);
}
