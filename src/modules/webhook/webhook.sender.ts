import { HttpFailure, parseRetryAfter, request } from '../../platform/http-client';
import { AddressPolicy } from './url-guard';

/** Standard Webhooks asks receivers to answer fast; the hub gives up on an attempt after this. */
export const DELIVERY_TIMEOUT_MS = 15_000;

export interface SendResult {
  /** HTTP status, or null when no response came. */
  status: number | null;
  retryAfterMs: number | null;
  /** Why no response came (timeout, refused, internal address…); never the secret or body. */
  error: string | null;
  durationMs: number;
  /** The answer's body, only when asked for (`keepBody`: the credit platform's receipt). */
  body?: string;
}

/**
 * POSTs one signed webhook body. No redirects are followed (a 3xx counts as a failure),
 * the address is checked against the policy at connect time, the answer's body is drained
 * and ignored unless `keepBody`.
 */
export async function send(
  url: string,
  headers: Record<string, string>,
  body: string,
  policy: AddressPolicy,
  timeoutMs = DELIVERY_TIMEOUT_MS,
  keepBody = false,
): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return done({ status: null, retryAfterMs: null, error: 'invalid URL' });
  }
  // Node skips `lookup` for literal addresses, so those (and the destination allow-list) are checked here.
  const refused = policy.refusal(target);
  if (refused) return done({ status: null, retryAfterMs: null, error: refused });
  try {
    const res = await request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'water-credit-hub/webhooks', ...headers },
      body,
      timeoutMs,
      lookup: policy.lookup(),
      discardBody: !keepBody,
    });
    return done({ status: res.status, retryAfterMs: parseRetryAfter(res.header('retry-after')), error: null, ...(keepBody ? { body: res.text } : {}) });
  } catch (e) {
    if (!(e instanceof HttpFailure)) throw e;
    return done({ status: null, retryAfterMs: null, error: e.code ? `${e.code}: ${e.message}` : e.message });
  }
}
