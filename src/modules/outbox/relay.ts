import IORedis from 'ioredis';
import { Database } from '../../platform/db';
import { logger } from '../../platform/logger';
import { outboxPublished } from '../../platform/metrics';
import { RatingChangedEvent } from './outbox';
import { lockUnpublished, markPublished } from './outbox.repository';
import { RatingBus, ratingBus } from '../rating-feed/rating-bus';
import { DeliveryRef, createDeliveries, overdueDeliveries } from '../webhook/webhook.repository';

/** Hands committed events to the subscribers of every API process. */
export interface EventPublisher {
  /** Resolves once every event was accepted; rejects (and the relay retries) otherwise. */
  publish(events: RatingChangedEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Redis pub/sub. The connection does not queue commands while Redis is away: a publish
 * then fails at once, the relay's transaction rolls back and the events stay unpublished
 * until Redis is back.
 */
export class RedisEventPublisher implements EventPublisher {
  private readonly redis: IORedis;
  constructor(
    url: string,
    private readonly channel: string,
  ) {
    // A Redis that hangs (rather than refusing) must not keep the relay's transaction open.
    this.redis = new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5000 });
    this.redis.on('error', (err) => logger.debug({ err }, 'outbox relay: redis error'));
  }
  async publish(events: RatingChangedEvent[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const e of events) p.publish(this.channel, JSON.stringify(e));
    const results = (await p.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed || results.length !== events.length) throw failed?.[0] ?? new Error('redis pipeline answered short');
  }
  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}

/** Embedded (no Redis): this process's subscribers are everyone's. */
export class LocalEventPublisher implements EventPublisher {
  constructor(private readonly bus: RatingBus = ratingBus) {}
  publish(events: RatingChangedEvent[]): Promise<void> {
    for (const e of events) this.bus.deliver(e);
    return Promise.resolve();
  }
  async close(): Promise<void> {}
}

export interface RelayOptions {
  /** Look for unpublished events this often even without a NOTIFY. */
  pollMs: number;
  batch?: number;
  /** Re-queue webhook deliveries whose job was lost this often… */
  sweepEveryMs?: number;
  /** …once they are this many seconds overdue. */
  sweepGraceS?: number;
}

/**
 * The transactional outbox's relay: takes committed, unpublished events (`FOR NO KEY UPDATE
 * SKIP LOCKED`, so any number of relays share the work without taking the same event), creates
 * their webhook deliveries, publishes them, and marks them published, all in one
 * transaction. A crash or a Redis outage before the commit leaves them unpublished for
 * the next pass: every event goes out at least once; receivers deduplicate by event id.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  private running?: Promise<void>;
  private again = false;
  private failing = false;

  constructor(
    private readonly db: Database,
    private readonly publisher: EventPublisher,
    private readonly queueDeliveries: (deliveries: DeliveryRef[]) => Promise<void>,
    private readonly opts: RelayOptions,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen('hub_outbox', () => this.wake());
    this.timer = setInterval(() => this.wake(), this.opts.pollMs);
    this.timer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), this.opts.sweepEveryMs ?? 5000);
    this.sweepTimer.unref();
    this.wake();
  }

  /** Runs a pass now, or right after the one in progress. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((err) => {
        if (!this.failing) logger.warn({ err }, 'outbox relay: publish failed; events stay in the outbox and are retried');
        this.failing = true;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Publishes until the outbox is empty; returns how many events went out. */
  async drain(): Promise<number> {
    const limit = this.opts.batch ?? 200;
    let total = 0;
    for (;;) {
      const { events, deliveries } = await this.db.transaction(async (m) => {
        // Whatever happens to this process mid-publish, Postgres ends the transaction and frees the events.
        if (!this.db.embedded) await m.query(`SET LOCAL idle_in_transaction_session_timeout = '30s'`);
        const batch = await lockUnpublished(m, limit);
        if (!batch.length) return { events: 0, deliveries: [] as string[] };
        const ids = batch.map((r) => r.id);
        const deliveries = await createDeliveries(m, ids);
        const publishedAt = new Date().toISOString();
        await this.publisher.publish(batch.map((r) => ({ ...r.payload, publishedAt })));
        await markPublished(m, ids, new Date(publishedAt));
        return { events: batch.length, deliveries };
      });
      if (this.failing && events) logger.info('outbox relay: publishing again');
      this.failing = false;
      total += events;
      outboxPublished.inc(events);
      if (deliveries.length) await this.queueDeliveries(deliveries.map((id) => ({ id, attempts: 0, generation: 0 })));
      if (events < limit) return total;
    }
  }

  /** Re-queues deliveries that are due but whose queue job is gone (Redis flushed or restarted). */
  async sweep(): Promise<number> {
    try {
      const lost = await overdueDeliveries(this.db.manager, this.opts.sweepGraceS ?? 10);
      if (lost.length) {
        logger.info({ deliveries: lost.length }, 'outbox relay: re-queueing overdue webhook deliveries');
        await this.queueDeliveries(lost);
      }
      return lost.length;
    } catch (err) {
      logger.warn({ err }, 'outbox relay: sweep failed');
      return 0;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.sweepTimer);
    await this.unlisten?.();
    await this.running;
    await this.publisher.close();
  }
}
