import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../../platform/logger';
import { CreditPolicy, checkPolicySet, parsePolicy, policyOutlook } from './credit-policy';

/** Where the versioned policy documents live, from the compiled or the ts-jest tree alike. */
export function defaultPolicyDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json) above ' + __dirname);
    dir = up;
  }
  return path.join(dir, 'schema', 'policies');
}

/**
 * Loads and validates every `*.json` policy in `dir`. A new policy version is a new file:
 * no code change. Fails at start with a message naming the file and the bad field.
 */
export function loadPolicies(dir = defaultPolicyDir()): CreditPolicy[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error(`no credit policy documents in ${dir}`);
  return checkPolicySet(
    files.map((f) => {
      const file = path.join(dir, f);
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
      }
      return parsePolicy(raw, file);
    }),
  );
}

/**
 * Logs a warning at start when no policy is in force or the last one ends within 180 days
 * (the same text `/health` shows under `policy.warning`).
 */
export function warnOfPolicyEnd(policies: CreditPolicy[], now = new Date()): void {
  const { warning, ...outlook } = policyOutlook(policies, now);
  if (warning) logger.warn({ policy: outlook }, warning);
}
