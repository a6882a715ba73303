import { benchRequire } from './bench-require';

/** The part of autocannon's API used here (autocannon is in bench/package.json, not the product's install). */
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches?: number;
}
const autocannon = (opts: Record<string, unknown>): Promise<AutocannonResult> =>
  benchRequire<(o: Record<string, unknown>) => Promise<AutocannonResult>>('autocannon')(opts);

/** One POST /graphql target: the same body is sent on every request. */
export interface Target {
  name: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The exact response body every request must return (a different body counts as a mismatch). */
  expectBody?: string;
}

export interface RoundResult {
  target: string;
  seconds: number;
  requests: number;
  /** Mean requests per second over the round. */
  rps: number;
  p50: number;
  p99: number;
  /** non-2xx + socket errors + timeouts + body mismatches. */
  failures: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** 0: fire from this thread (shares the event loop with the servers); ≥1: autocannon worker threads. */
  workers: number;
}

/** POSTs `target.body` for `seconds` over `connections` keep-alive connections; resolves the round's figures. */
export async function hammer(target: Target, o: LoadOptions): Promise<RoundResult> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: target.body,
    connections: o.connections,
    duration: o.seconds,
    ...(o.workers > 0 ? { workers: o.workers } : {}),
    ...(target.expectBody ? { expectBody: target.expectBody } : {}),
    timeout: 30,
  });
  const r = result;
  return {
    target: target.name,
    seconds: o.seconds,
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    failures: r.non2xx + r.errors + r.timeouts + (r.mismatches ?? 0),
  };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface Summary {
  rps: number;
  /** Median over rounds of each round's p99. */
  p99: number;
  /** Worst round's p99. */
  p99Worst: number;
  failures: number;
  requests: number;
}

export function summarise(rounds: RoundResult[]): Summary {
  return {
    rps: mean(rounds.map((r) => r.rps)),
    p99: median(rounds.map((r) => r.p99)),
    p99Worst: Math.max(...rounds.map((r) => r.p99)),
    failures: rounds.reduce((s, r) => s + r.failures, 0),
    requests: rounds.reduce((s, r) => s + r.requests, 0),
  };
}
