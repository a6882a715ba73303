import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The hub's Prometheus registry, served at `/metrics`. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'hub_' });

export const sqlStatements = new Counter({
  name: 'hub_sql_statements_total',
  help: 'SQL statements sent to the database',
  registers: [registry],
});

export const graphqlRequests = new Histogram({
  name: 'hub_graphql_request_duration_seconds',
  help: 'GraphQL operation duration, by operation type and first root field (operation="query:enterprises"; "invalid" when it did not validate), never by the client-chosen name',
  labelNames: ['operation', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const evaluations = new Counter({
  name: 'hub_credit_evaluations_total',
  help: 'Credit evaluations made (stored, or confirming an unchanged current rating), by resulting grade',
  labelNames: ['grade'],
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'hub_webhook_attempts_total',
  help: 'Webhook delivery attempts, by outcome (delivered, retry, gone, dead)',
  labelNames: ['outcome'],
  registers: [registry],
});

export const outboxPublished = new Counter({
  name: 'hub_outbox_events_published_total',
  help: 'Outbox events handed to subscribers and webhook deliveries',
  registers: [registry],
});

export const wsConnections = new Gauge({
  name: 'hub_graphql_ws_connections',
  help: 'Acknowledged graphql-ws connections open on this process',
  registers: [registry],
});

/** Counted once the subscription's source stream is open: from then on it receives every change. */
export const wsSubscriptions = new Gauge({
  name: 'hub_graphql_ws_subscriptions',
  help: 'graphql-ws subscriptions listening on this process (accepted, source stream open)',
  registers: [registry],
});

/** Of those, the ones on the shared fan-out (one execution and serialisation per event and share key). */
export const wsSharedSubscriptions = new Gauge({
  name: 'hub_graphql_ws_shared_subscriptions',
  help: 'graphql-ws subscriptions served by the shared fan-out (payload serialised once per share key)',
  registers: [registry],
});

/** Reads the overdue counts per work kind; installed by the HTTP side (src/app.ts), which holds the database. */
type OverdueReader = () => Promise<Record<string, number>>;
let readOverdue: OverdueReader | undefined;

/**
 * Open work past its deadline, hub-wide, by kind (the registered work sources only: a bounded
 * label set). Computed at scrape time: one indexed `count(*)` per kind, a handful of cheap
 * statements every scrape interval, and always current (a scheduler-refreshed value would lag
 * by its period and need a job on every instance). A failed read keeps the last values.
 */
export const workOverdue = new Gauge({
  name: 'hub_work_overdue',
  help: 'Open work items past their deadline (due date before today, China time), by kind',
  labelNames: ['kind'],
  registers: [registry],
  async collect() {
    if (!readOverdue) return;
    try {
      for (const [kind, n] of Object.entries(await readOverdue())) this.set({ kind }, n);
    } catch {
      // the database is down: /health says so; the gauge keeps its last reading
    }
  },
});

/** Installs (or, with undefined, removes) what `hub_work_overdue` reads at scrape time. */
export function setOverdueReader(reader: OverdueReader | undefined): void {
  readOverdue = reader;
}

/** HTTP operations by how they ran: `compiled` (graphql-jit, the default) or `interpreted` (graphql-js: jit off, or an operation it could not compile). */
export const graphqlExecutions = new Counter({
  name: 'hub_graphql_executions_total',
  help: 'GraphQL operations over HTTP executed, by executor (compiled: graphql-jit; interpreted: graphql-js)',
  labelNames: ['executor'],
  registers: [registry],
});
