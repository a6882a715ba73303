import { Client, createClient } from 'graphql-ws/client';
import WebSocket from 'ws';
import { eventually } from './eventually';

/** The hub's `hub_graphql_ws_subscriptions` gauge: subscriptions whose source stream is open on that process. */
export async function openSubscriptions(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const m = /^hub_graphql_ws_subscriptions (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

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
  /**
   * Resolves once the server listens for this subscription (its gauge went up): a change
   * committed after this reaches it. The readiness signal to await before causing a change.
   */
  listening(timeoutMs?: number): Promise<void>;
  /** Closes the client and waits until the server has let go of the subscription. */
  dispose(): Promise<void>;
}

export function subscribe(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  /** More connectionParams (e.g. `lang`). */
  params: Record<string, unknown> = {},
): TestSubscriber {
  const results: { data?: any; errors?: any[] }[] = [];
  const waiters: (() => void)[] = [];
  let onClosed!: (e: { code: number; reason: string }) => void;
  let onConnected!: () => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  const connected = new Promise<void>((r) => (onConnected = r));
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...params },
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
  // Count the server's open subscriptions first, so `listening` can tell when this one is added.
  const before = openSubscriptions(httpUrl).catch(() => 0);
  void before.then(() =>
    client.subscribe(
      { query, variables },
      { next: (r) => push(r as any), error: (e) => push({ errors: Array.isArray(e) ? e : [e] }), complete: () => undefined },
    ),
  );
  return {
    client,
    results,
    closed,
    connected,
    async listening(timeoutMs = 15_000) {
      const n = await before;
      await eventually(
        async () => {
          if (results.some((r) => r.errors)) throw new Error(`the subscription failed: ${JSON.stringify(results)}`);
          const now = await openSubscriptions(httpUrl);
          if (now <= n) throw new Error(`the server does not listen for the subscription yet (${now} open, ${n} before it)`);
        },
        { timeoutMs },
      );
    },
    async waitFor(n, timeoutMs = 15_000) {
      if (results.length >= n) return results;
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`expected ${n} subscription results within ${timeoutMs} ms, got ${results.length}: ${JSON.stringify(results)}`)),
            timeoutMs,
          );
          const check = () => (results.length >= n ? resolve() : waiters.push(check));
          check();
        });
      } finally {
        clearTimeout(timer);
      }
      return results;
    },
    async dispose() {
      await client.dispose();
      // The server lets go of it asynchronously; wait, so the next subscriber's count starts true.
      // (Subscribers of one test file open and close in turn, so the count returns to where it was.)
      const n = await before;
      await eventually(
        async () => {
          const now = await openSubscriptions(httpUrl).catch(() => 0); // a hub already stopped holds none
          if (now > n) throw new Error(`the server still holds the disposed subscription (${now} open, ${n} before it)`);
        },
        { timeoutMs: 10_000 },
      );
    },
  };
}
