import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com), the parts a sender needs and a
 * receiver's check for tests and for partners to copy:
 * - secret `whsec_` + base64 of 24–64 random bytes;
 * - headers `webhook-id` (the same on every retry), `webhook-timestamp` (Unix seconds of
 *   the attempt), `webhook-signature`: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`;
 *   several signatures separated by spaces while a rotated secret is still honoured.
 */
export const SECRET_PREFIX = 'whsec_';

export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** Why a secret cannot be used, or null. */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return `a webhook secret must start with "${SECRET_PREFIX}" (Standard Webhooks); leave it out to have one generated`;
  const body = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return 'a webhook secret must be whsec_ followed by base64';
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < 24 || bytes > 64) return `a webhook secret must hold 24 to 64 bytes (this one holds ${bytes})`;
  return null;
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/** The three headers of one attempt, signed with every secret given (current first). */
export function webhookHeaders(secrets: string[], id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}

/**
 * The receiver's check: a signature made with `secret` over exactly this body, and a
 * timestamp within `toleranceS` of now (replay protection). Throws with the reason.
 */
export function verify(secret: string, headers: Record<string, string | string[] | undefined>, body: string, toleranceS = 300, now = Date.now()): void {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = h('webhook-id');
  const ts = Number(h('webhook-timestamp'));
  const sigs = h('webhook-signature');
  if (!id || !Number.isFinite(ts) || !sigs) throw new Error('missing webhook-id, webhook-timestamp or webhook-signature');
  if (Math.abs(now / 1000 - ts) > toleranceS) throw new Error('webhook-timestamp is too far from now');
  const expected = Buffer.from(sign(secret, id, ts, body).slice(3), 'base64');
  const ok = sigs.split(' ').some((s) => {
    const [version, value] = s.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const got = Buffer.from(value, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!ok) throw new Error('no webhook-signature matches');
}
