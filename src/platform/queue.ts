import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { GraphQLError } from 'graphql';
import IORedis from 'ioredis';
import type { QueueTiming } from './config';
import { logger } from './logger';

/** One queue per kind of work, each with its own worker concurrency (STYLE.md, Jobs). */
export const QUEUES = { sync: 2, detect: 1, evaluate: 2, maintenance: 1, notify: 8 } as const;
export type QueueName = keyof typeof QUEUES;

/** Raised by a handler for input no retry can fix: the job fails at once. */
export class UnrecoverableJobError extends UnrecoverableError {}

/**
 * A job kind: its queue, payload, options and handler together (immich `@OnJob`).
 * `jobId` turns the payload into a natural id, so adding the same work twice is a no-op.
 */
export interface JobDefinition<P> {
  name: string;
  queue: QueueName;
  jobId(payload: P): string;
  attempts: number;
  /** First retry delay; later ones double (exponential backoff). */
  backoffMs: number;
  handle(payload: P, job: { attempt: number; signal: AbortSignal; progress(p: object): Promise<void> }): Promise<void>;
  /**
   * Called once the job has failed for good (attempts used up, unrecoverable input, or a
   * worker that died with it too often), so the state it left in Postgres can say so.
   */
  onFailed?(payload: P, error: Error): Promise<void>;
  /**
   * Drop the job from Redis once it ends, so its id can be added again: for jobs that only
   * carry state kept in Postgres (webhook deliveries), where a sweeper re-adds lost ones.
   */
  forgetWhenDone?: boolean;
}

export interface JobQueue {
  add<P>(def: JobDefinition<P>, payload: P, delayMs?: number): Promise<void>;
  /**
   * Adds the job again unless one with its id is waiting, delayed or running; a finished one still kept under the id
   * (completed or failed) is replaced. For work whose state in PostgreSQL says it is still to do (a sync run QUEUED).
   * True when it was added.
   */
  requeue<P>(def: JobDefinition<P>, payload: P): Promise<boolean>;
  /** Starts workers for every queue (API process in embedded mode, `hub worker` with Redis). */
  startWorkers(defs: JobDefinition<unknown>[]): Promise<void>;
  /** Lets active jobs finish (or hands them back) and stops. */
  close(): Promise<void>;
  readonly kind: 'redis' | 'in-process';
}

/** Checks at boot that every job name has exactly one handler. */
export function jobRegistry<D extends { name: string; queue: string }>(defs: D[]): Map<string, D> {
  const map = new Map<string, D>();
  for (const d of defs) {
    if (map.has(d.name)) throw new Error(`job ${d.name} has two handlers`);
    if (!(d.queue in QUEUES)) throw new Error(`job ${d.name} names unknown queue ${d.queue}`);
    map.set(d.name, d);
  }
  return map;
}

/** Logs a Redis connection problem at most every 30 s per source (an outage would otherwise log every retry). */
const lastComplaint = new Map<string, number>();
function redisTrouble(source: string): (err: Error) => void {
  return (err) => {
    const now = Date.now();
    if (now - (lastComplaint.get(source) ?? 0) < 30_000) return;
    lastComplaint.set(source, now);
    logger.warn({ source, err }, 'Redis unreachable; queued work waits until it is back');
  };
}

/** BullMQ's own defaults: a dead worker's job is handed over within 30-60 s; Redis commands of a request give up after 3 s. */
export const DEFAULT_QUEUE_TIMING: QueueTiming = { lockMs: 30_000, stalledMs: 30_000, commandTimeoutMs: 3_000 };

/**
 * Redis did not answer in time: the queue is unreachable. A GraphQL error with code SERVICE_UNAVAILABLE (HTTP 503), so a
 * caller learns at once what is wrong and that retrying later helps, instead of waiting on a command ioredis holds until
 * Redis is back. What the request committed in PostgreSQL stays (a sync run recorded as QUEUED is queued by the scheduler
 * once Redis answers).
 */
export class QueueUnavailableError extends GraphQLError {
  /** `timeoutMs`: how long it waited; 0 when the connection was already known to be down. */
  constructor(what: string, timeoutMs: number) {
    const zh = timeoutMs ? `在 ${timeoutMs} 毫秒内无应答` : '连接已断开';
    const en = timeoutMs ? `did not answer within ${timeoutMs} ms` : 'is unreachable (reconnecting)';
    super(
      `任务队列（Redis）${zh}，${what}未能排队；已保存的数据不受影响，Redis 恢复后重试或等待调度器补排 / ` +
        `The job queue (Redis) ${en}, so ${what} could not be queued; nothing stored is lost: retry once Redis is back, or let the scheduler re-queue it`,
      { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } },
    );
  }
}

/** A job's natural id as BullMQ keeps it (it refuses ':' in custom ids). */
const bullJobId = <P>(def: JobDefinition<P>, payload: P): string => def.jobId(payload).replace(/:/g, '.');

/** ioredis connection states in which Redis is known to be unreachable. */
const DOWN = new Set(['reconnecting', 'end', 'close']);

/** `p`, or a QueueUnavailableError once `ms` have passed (the command itself may still run when Redis returns). */
export function withinRedisTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(what, ms)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** BullMQ on Redis: jobs survive restarts and spread over every worker process. */
export class RedisJobQueue implements JobQueue {
  readonly kind = 'redis';
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  /** Worker connections are ours to close: BullMQ leaves a connection it was given open. */
  private readonly workerConnections: IORedis[] = [];
  private readonly aborts = new Set<AbortController>();

  constructor(
    private readonly connection: IORedis,
    /** Key prefix of every queue: hubs (or test runs) sharing one Redis keep apart by it. */
    private readonly prefix = 'hub',
    /** Lock and stalled-check intervals of the workers this queue starts. */
    private readonly timing: QueueTiming = DEFAULT_QUEUE_TIMING,
  ) {}

  static async connect(url: string, prefix = 'hub', timing: QueueTiming = DEFAULT_QUEUE_TIMING): Promise<RedisJobQueue> {
    const connection = new IORedis(url, { maxRetriesPerRequest: null });
    connection.on('error', redisTrouble('queue connection'));
    const policy = (await connection.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
    if (policy[1] && policy[1] !== 'noeviction')
      logger.warn({ policy: policy[1] }, `Redis maxmemory-policy is ${policy[1]}: BullMQ needs noeviction or queued jobs may be evicted`);
    return new RedisJobQueue(connection, prefix, timing);
  }

  private queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      this.queues.set(name, (q = new Queue(name, { connection: this.connection, prefix: this.prefix })));
      q.on('error', redisTrouble(`queue ${name}`));
    }
    return q;
  }

  /** Whether Redis answers a PING within the command timeout (for /health and the queue dashboard). */
  async reachable(): Promise<boolean> {
    if (this.connection.status !== 'ready') return false;
    return withinRedisTimeout(this.connection.ping(), this.timing.commandTimeoutMs, 'PING').then(
      () => true,
      () => false,
    );
  }

  async add<P>(def: JobDefinition<P>, payload: P, delayMs = 0): Promise<void> {
    const job = `job ${def.name}`;
    // While ioredis is reconnecting, fail at once: the command would wait in its offline queue.
    if (DOWN.has(this.connection.status)) throw new QueueUnavailableError(job, 0);
    await withinRedisTimeout(this.addNow(def, payload, delayMs), this.timing.commandTimeoutMs, job);
  }

  async requeue<P>(def: JobDefinition<P>, payload: P): Promise<boolean> {
    const what = `job ${def.name}`;
    if (DOWN.has(this.connection.status)) throw new QueueUnavailableError(what, 0);
    const again = async () => {
      const existing = await this.queue(def.queue).getJob(bullJobId(def, payload));
      if (existing) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
        await existing.remove();
      }
      await this.addNow(def, payload, 0);
      return true;
    };
    return withinRedisTimeout(again(), this.timing.commandTimeoutMs, what);
  }

  private async addNow<P>(def: JobDefinition<P>, payload: P, delayMs: number): Promise<void> {
    await this.queue(def.queue).add(def.name, payload, {
      jobId: bullJobId(def, payload),
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs },
      delay: delayMs,
      removeOnComplete: def.forgetWhenDone ? true : { age: 7 * 86_400, count: 1000 },
      removeOnFail: def.forgetWhenDone ? true : { age: 30 * 86_400, count: 5000 },
    });
  }

  startWorkers(defs: JobDefinition<unknown>[]): Promise<void> {
    const registry = jobRegistry(defs);
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      const worker = new Worker(
        name,
        async (job: Job) => {
          const def = registry.get(job.name);
          if (!def) throw new Error(`no handler for job ${job.name}`);
          const abort = new AbortController();
          this.aborts.add(abort);
          try {
            // UnrecoverableJobError (a bullmq UnrecoverableError) fails the job without retries.
            await def.handle(job.data, { attempt: job.attemptsMade + 1, signal: abort.signal, progress: (p) => job.updateProgress(p) });
          } finally {
            this.aborts.delete(abort);
          }
        },
        {
          connection: this.workerConnection(),
          prefix: this.prefix,
          concurrency: QUEUES[name],
          lockDuration: this.timing.lockMs,
          stalledInterval: this.timing.stalledMs,
        },
      );
      worker.on('error', redisTrouble(`worker ${name}`));
      worker.on('failed', (job, err) => {
        logger.warn({ queue: name, job: job?.name, id: job?.id, attempt: job?.attemptsMade, err }, 'job failed');
        const def = job && registry.get(job.name);
        const final =
          err instanceof UnrecoverableError || /stalled more than allowable limit/.test(err.message) || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1);
        if (def?.onFailed && final) def.onFailed(job!.data, err).catch((e) => logger.error({ err: e, job: job?.name }, 'onFailed hook failed'));
      });
      this.workers.push(worker);
    }
    return Promise.resolve();
  }

  private workerConnection(): IORedis {
    const c = this.connection.duplicate();
    c.on('error', redisTrouble('worker connection'));
    this.workerConnections.push(c);
    return c;
  }

  async close(): Promise<void> {
    // Workers finish their active jobs; stalled ones are handed back to the queue by BullMQ.
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const c of this.workerConnections) c.disconnect();
    this.connection.disconnect();
  }

  queuesForDashboard(): Queue[] {
    return (Object.keys(QUEUES) as QueueName[]).map((n) => this.queue(n));
  }
}

/**
 * The embedded default without Redis: the same handlers, in this process, with the same
 * natural-id dedupe, per-queue concurrency and exponential retries. Jobs do not survive a
 * restart; sync cursors and runs are in Postgres, so a re-trigger resumes where data stopped.
 */
export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process';
  private registry = new Map<string, JobDefinition<unknown>>();
  private readonly pending = new Map<QueueName, { def: JobDefinition<unknown>; payload: unknown; attempt: number; id: string }[]>();
  private readonly active = new Map<QueueName, number>();
  private readonly known = new Set<string>();
  private readonly timers = new Map<NodeJS.Timeout, QueueName>();
  private readonly running = new Map<Promise<void>, QueueName>();
  private closed = false;
  private readonly abort = new AbortController();

  add<P>(def: JobDefinition<P>, payload: P, delayMs = 0): Promise<void> {
    const id = def.jobId(payload);
    if (this.known.has(id) || this.closed) return Promise.resolve();
    this.known.add(id);
    this.schedule({ def, payload, attempt: 1, id }, delayMs);
    return Promise.resolve();
  }

  /** In-process ids are known only while the job is pending or running, so adding again is requeueing. */
  requeue<P>(def: JobDefinition<P>, payload: P): Promise<boolean> {
    const known = this.known.has(def.jobId(payload));
    return this.add(def, payload).then(() => !known);
  }

  private schedule(job: { def: JobDefinition<unknown>; payload: unknown; attempt: number; id: string }, delayMs: number) {
    const enqueue = () => {
      const list = this.pending.get(job.def.queue) ?? [];
      list.push(job);
      this.pending.set(job.def.queue, list);
      this.pump(job.def.queue);
    };
    if (delayMs <= 0) return enqueue();
    const t = setTimeout(() => {
      this.timers.delete(t);
      enqueue();
    }, delayMs);
    this.timers.set(t, job.def.queue);
  }

  startWorkers(defs: JobDefinition<unknown>[]): Promise<void> {
    this.registry = jobRegistry(defs);
    for (const q of Object.keys(QUEUES) as QueueName[]) this.pump(q);
    return Promise.resolve();
  }

  private pump(queue: QueueName) {
    if (this.closed || !this.registry.size) return;
    const list = this.pending.get(queue) ?? [];
    while ((this.active.get(queue) ?? 0) < QUEUES[queue] && list.length) {
      const job = list.shift()!;
      this.active.set(queue, (this.active.get(queue) ?? 0) + 1);
      const run = job.def
        .handle(job.payload, { attempt: job.attempt, signal: this.abort.signal, progress: () => Promise.resolve() })
        .then(
          () => {
            this.known.delete(job.id);
          },
          (err: Error) => {
            logger.warn({ queue, job: job.def.name, id: job.id, attempt: job.attempt, err }, 'job failed');
            if (!(err instanceof UnrecoverableJobError) && job.attempt < job.def.attempts && !this.closed)
              this.schedule({ ...job, attempt: job.attempt + 1 }, job.def.backoffMs * 2 ** (job.attempt - 1));
            else {
              this.known.delete(job.id);
              return job.def.onFailed?.(job.payload, err).catch((e) => logger.error({ err: e, job: job.def.name }, 'onFailed hook failed'));
            }
          },
        )
        .finally(() => {
          this.active.set(queue, (this.active.get(queue) ?? 1) - 1);
          this.running.delete(run);
          this.pump(queue);
        });
      this.running.set(run, queue);
    }
  }

  /**
   * Resolves when nothing is queued, delayed or running (tests, CLI), in `queues` when given:
   * a webhook retry hours away need not hold up the CLI waiting for detection.
   */
  async drain(queues?: QueueName[]): Promise<void> {
    const mine = (q: QueueName) => !queues || queues.includes(q);
    const busy = () =>
      [...this.running.values()].some(mine) || [...this.pending.entries()].some(([q, l]) => mine(q) && l.length > 0) || [...this.timers.values()].some(mine);
    while (busy()) await Promise.race([...this.running.keys(), new Promise((r) => setTimeout(r, 20))]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.keys()]);
  }
}
