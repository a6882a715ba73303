import type express from 'express';

/**
 * The Content-Security-Policy of every answer: the hub's own pages (landing page, GraphiQL from /graphiql/assets, the
 * queue dashboard) load only their own scripts and styles (inline `<style>` blocks and React's style attributes allowed,
 * no inline or evaluated script), fonts and images also as data: URIs (GraphiQL's CSS), connections (fetch, graphql-ws)
 * to the hub itself; nothing may frame the hub.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Security headers on every response (issue 11 item 6; helmet's defaults, set by hand): no MIME sniffing, no framing
 * (X-Frame-Options and frame-ancestors), no referrer, the CSP above; `Cache-Control: no-store` on /graphql answers
 * (personal and credit data must not stay in caches); Strict-Transport-Security when `hsts` (HUB_HSTS=true) or the
 * request came over TLS (`req.secure`: X-Forwarded-Proto counts only with HUB_TRUST_PROXY).
 */
export function securityHeaders(opts: { hsts: boolean }): express.RequestHandler {
  // Plain setHeader: what res.set() ends in for these (string, not Content-Type) values, without its per-call conversions.
  return (req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    if (opts.hsts || req.secure) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.path === '/graphql') res.setHeader('cache-control', 'no-store');
    next();
  };
}
