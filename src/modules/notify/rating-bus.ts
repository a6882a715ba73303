import IORedis from 'ioredis';
import { Database } from '../../platform/db';
import { logger } from '../../platform/logger';
import { RATING_CHANGED, RatingChangedEvent, publishedSince } from './outbox';

/** The Redis channel rating changes travel on; the prefix keeps hubs sharing one Redis apart (pub/sub ignores database numbers). */
export const ratingChannel = (prefix: string) => `${prefix}:${RATING_CHANGED}`;

/** Remembers the last `size` ids, so an event that arrives twice is passed on once. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly size = 20_000) {}
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

/** Events a subscriber may fall behind by before it is cut off (its client reconnects and catches up by sequence). */
export const MAX_BACKLOG = 10_000;

/** One subscriber's stream: events it wants, queued until it asks for them. */
class Subscriber implements AsyncIterableIterator<RatingChangedEvent> {
  private readonly queue: RatingChangedEvent[] = [];
  private waiting?: (r: IteratorResult<RatingChangedEvent>) => void;
  private failed?: Error;
  private done = false;
  /** Ids handed over by `replay`, so their live copies are not passed on twice. */
  private readonly replayed = new Set<string>();

  constructor(
    private readonly wants: (e: RatingChangedEvent) => boolean,
    private readonly leave: (s: Subscriber) => void,
  ) {}

  offer(e: RatingChangedEvent): void {
    if (this.done || !this.wants(e) || (this.replayed.size && this.replayed.delete(e.eventId))) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      return w({ value: e, done: false });
    }
    if (this.queue.length >= MAX_BACKLOG) {
      this.failed = new Error(`This subscriber fell ${MAX_BACKLOG} changes behind and was disconnected; resubscribe (sequence numbers show what to re-read).`);
      this.queue.length = 0;
      return void this.return();
    }
    this.queue.push(e);
  }

  /** Puts earlier events (from the outbox) ahead of the live ones queued since subscribing, each once. */
  replay(events: RatingChangedEvent[]): void {
    const queued = new Set(this.queue.map((e) => e.eventId));
    const earlier = events.filter((e) => this.wants(e) && !queued.has(e.eventId));
    for (const e of earlier) this.replayed.add(e.eventId);
    this.queue.unshift(...earlier);
  }

  next(): Promise<IteratorResult<RatingChangedEvent>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failed) return Promise.reject(this.failed);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<RatingChangedEvent>> {
    if (!this.done) {
      this.done = true;
      this.leave(this);
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * This process's subscribers of rating changes. Events reach it from the relay (in-process,
 * embedded) or from Redis (`RedisRatingFeed`); each is passed on once, whichever way and
 * however often it came, and offered to every subscriber, which keeps it when its filter
 * (jurisdiction, arguments) says so. Every subscriber receives the same event object.
 *
 * A plain queue per subscriber rather than a pub/sub library's streams: with a thousand
 * subscribers the fan-out is the hot path (Repeater-based streams cost a tenth of it).
 */
export class RatingBus {
  private readonly subscribers = new Set<Subscriber>();
  private readonly seen = new RecentIds();

  /** Passes an event on unless it came before; true when it was new. */
  deliver(event: RatingChangedEvent): boolean {
    if (!this.seen.add(event.eventId)) return false;
    for (const s of this.subscribers) s.offer(event);
    return true;
  }

  /** The events `wants` keeps, from now on, until the stream is returned. */
  subscribe(wants: (e: RatingChangedEvent) => boolean = () => true): AsyncIterableIterator<RatingChangedEvent> & { replay(events: RatingChangedEvent[]): void } {
    const s = new Subscriber(wants, (gone) => this.subscribers.delete(gone));
    this.subscribers.add(s);
    return s;
  }

  get size(): number {
    return this.subscribers.size;
  }
}

export const ratingBus = new RatingBus();

/**
 * Carries rating changes from Redis pub/sub to this process's subscribers. Pub/sub keeps
 * nothing: after the connection to Redis was lost (restart, failover), the feed reads the
 * events published meanwhile from the outbox in Postgres, so a subscriber misses none.
 */
export class RedisRatingFeed {
  private readonly redis: IORedis;
  private lostAt: Date | null = null;
  private everReady = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    redisUrl: string,
    private readonly channel: string,
    private readonly db: Database,
    private readonly bus: RatingBus = ratingBus,
    /** Delay before reconnecting after a lost connection (tests widen the gap). */
    reconnectDelayMs?: number,
  ) {
    this.redis = new IORedis(redisUrl, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
      keepAlive: 10_000,
      connectionName: `rating-feed:${channel}`,
      ...(reconnectDelayMs ? { retryStrategy: () => reconnectDelayMs } : {}),
    });
    this.redis.on('message', (_channel: string, message: string) => this.onMessage(message));
    this.redis.on('close', () => {
      if (this.everReady && !this.lostAt) this.lostAt = new Date();
    });
    this.redis.on('error', (err) => logger.debug({ err: err.message }, 'rating feed: redis error'));
    this.redis.on('ready', () => {
      if (this.everReady) this.scheduleCatchUp();
      this.everReady = true;
    });
  }

  async start(): Promise<void> {
    await this.redis.connect();
    await this.redis.subscribe(this.channel);
  }

  private onMessage(message: string): void {
    try {
      this.bus.deliver(JSON.parse(message) as RatingChangedEvent);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'rating feed: unreadable message dropped');
    }
  }

  /**
   * Re-reads what was published while the connection was down, from a minute before it was
   * noticed (clocks, and a connection that died before it said so). A relay can publish
   * during the gap and commit only after a read, so the read is repeated after 0.5, 5 and
   * 30 seconds; what was already delivered is dropped by the bus.
   */
  private scheduleCatchUp(): void {
    const since = new Date((this.lostAt ?? new Date()).getTime() - 60_000);
    this.lostAt = null;
    for (const delay of [500, 5_000, 30_000]) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.catchUp(since);
      }, delay);
      t.unref();
      this.timers.add(t);
    }
  }

  async catchUp(since: Date): Promise<number> {
    let replayed = 0;
    try {
      let afterId = '0';
      for (;;) {
        const page = await publishedSince(this.db.manager, since, afterId);
        for (const row of page) if (this.bus.deliver(row.payload)) replayed++;
        if (page.length < 1000) break;
        afterId = page[page.length - 1].id;
      }
      if (replayed) logger.info({ since, replayed }, 'rating feed: delivered events missed while Redis was unreachable, from the outbox');
    } catch (err) {
      logger.error({ err }, 'rating feed: catch-up from the outbox failed');
    }
    return replayed;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.redis.disconnect();
  }
}
