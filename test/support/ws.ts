import { Client, createClient } from 'graphql-ws/client';
import WebSocket from 'ws';

/** A graphql-ws subscriber for tests: collects every result and lets a test wait for the n-th. */
export interface TestSubscriber {
  client: Client;
  results: { data?: any; errors?: any[] }[];
  /** Resolves with the results once there are at least `n`. */
  waitFor(n: number, timeoutMs?: number): Promise<{ data?: any; errors?: any[] }[]>;
  /** The close event, when the server closed the socket. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves when the subscription is acknowledged by the server (connection open). */
  connected: Promise<void>;
  dispose(): Promise<void>;
}

export function subscribe(httpUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): TestSubscriber {
  const results: { data?: any; errors?: any[] }[] = [];
  const waiters: (() => void)[] = [];
  let onClosed!: (e: { code: number; reason: string }) => void;
  let onConnected!: () => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  const connected = new Promise<void>((r) => (onConnected = r));
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // Failures reach the test through `closed` and the results; the client would also print them.
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (e) => onClosed({ code: (e as { code: number }).code, reason: String((e as { reason: string }).reason) }),
    },
  });
  const push = (r: { data?: any; errors?: any[] }) => {
    results.push(r);
    for (const w of waiters.splice(0)) w();
  };
  client.subscribe({ query, variables }, { next: (r) => push(r as any), error: (e) => push({ errors: Array.isArray(e) ? e : [e] }), complete: () => undefined });
  return {
    client,
    results,
    closed,
    connected,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} subscription results within ${timeoutMs} ms, got ${results.length}: ${JSON.stringify(results)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return results;
    },
    async dispose() {
      await client.dispose();
    },
  };
}
