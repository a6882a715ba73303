import http from 'node:http';
import { Pool, PoolClient } from 'pg';
import { benchRequire } from './bench-require';

/**
 * PostGraphile v5 (amber preset) over the same schema, served by grafserv on node:http:
 * the reference the dashboard benchmark compares the hub against.
 *
 * postgraphile ships CommonJS, but its subpath exports (`postgraphile/adaptors/pg`, …) do not
 * resolve under our `moduleResolution: node`, so it is loaded with a plain require and typed loosely.
 */

/** Node 20 lacks Promise.withResolvers (Node 22+); grafast uses it. Call before loading postgraphile. */
export function polyfillPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T | PromiseLike<T>) => void;
    let reject!: (e?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** The dashboard in PostGraphile's generated vocabulary (field names checked against the printed schema). */
export const PEER_DASHBOARD_QUERY = `{
  allEnterprises(first: 100, orderBy: CREDIT_CODE_ASC) {
    nodes {
      name
      creditRatingByCurrentRatingId { grade score }
      metersByEnterpriseId { nodes { meterCode lastReadingAt } }
      waterPermitsByEnterpriseId { nodes { permitNo } }
    }
  }
}`;

export interface Peer {
  url: string;
  /** SQL statements PostGraphile has sent through its pool since start. */
  readonly statementCount: number;
  /** The generated schema in SDL (to find field names). */
  printSchema(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostGraphile(opts: { connectionString: string; schema: string; poolSize: number; port?: number }): Promise<Peer> {
  polyfillPromiseWithResolvers();
  const { postgraphile } = benchRequire('postgraphile');
  const { PostGraphileAmberPreset } = benchRequire('postgraphile/presets/amber');
  const { makePgService } = benchRequire('postgraphile/adaptors/pg');
  const { grafserv } = benchRequire('postgraphile/grafserv/node');
  const { printSchema } = benchRequire('postgraphile/graphql');

  // Our own pool (same size as the hub's), so we can count statements and end it ourselves.
  let statements = 0;
  const pool = new Pool({ connectionString: opts.connectionString, max: opts.poolSize });
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
  });
  pool.on('error', () => undefined);

  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ pool, schemas: [opts.schema] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  server.on('error', () => undefined);
  await serv.addTo(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, () => resolve());
  });
  const addr = server.address();
  const url = `http://localhost:${typeof addr === 'object' && addr ? addr.port : opts.port}/graphql`;

  return {
    url,
    get statementCount() {
      return statements;
    },
    async printSchema() {
      return printSchema(await pgl.getSchema());
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      await pgl.release();
      await pool.end();
    },
  };
}
