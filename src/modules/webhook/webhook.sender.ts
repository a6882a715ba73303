import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { AddressPolicy } from './url-guard';
import { parseRetryAfter } from '../../../connectors/http-retry';

/** Standard Webhooks asks receivers to answer fast; the hub gives up on an attempt after this. */
export const DELIVERY_TIMEOUT_MS = 15_000;

export interface SendResult {
  /** HTTP status, or null when no response came. */
  status: number | null;
  retryAfterMs: number | null;
  /** Why no response came (timeout, refused, internal address…); never the secret or body. */
  error: string | null;
  durationMs: number;
}

/**
 * POSTs one signed webhook body. No redirects are followed (a 3xx counts as a failure),
 * the address is checked against the policy at connect time, the answer's body is drained
 * and ignored.
 */
export function send(url: string, headers: Record<string, string>, body: string, policy: AddressPolicy, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done({ status: null, retryAfterMs: null, error: 'invalid URL' }));
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // Node skips `lookup` for literal addresses, so those are checked here.
    if (isIP(host) && !policy.permits(host)) return resolve(done({ status: null, retryAfterMs: null, error: `${host} is an internal address (not allow-listed)` }));
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'water-credit-hub/webhooks', 'content-length': Buffer.byteLength(body), ...headers },
        lookup: policy.lookup(),
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(done({ status: res.statusCode ?? null, retryAfterMs: parseRetryAfter(res.headers['retry-after'] as string | undefined), error: null })));
        res.on('error', () => resolve(done({ status: res.statusCode ?? null, retryAfterMs: null, error: null })));
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(done({ status: null, retryAfterMs: null, error: err.code ? `${err.code}: ${err.message}` : err.message })));
    req.end(body);
  });
}
