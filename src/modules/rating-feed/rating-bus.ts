import IORedis from 'ioredis';
import { Database } from '../../platform/db';
import { logger } from '../../platform/logger';
import { RATING_CHANGED, RatingChangedEvent } from '../outbox/outbox';
import { ALL_CHANGES, changesSince } from '../outbox/outbox.repository';
import type { PushSource } from '../../platform/graphql/push-source';

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

/** How a subscriber catches up on the past: reads of the outbox, repeated while slow relays commit. */
export interface CatchUp {
  read(): Promise<RatingChangedEvent[]>;
  /** Read again after these delays (ms) for events published before subscribing but committed after the first read. */
  rereadAfterMs: number[];
  /** How long ids are remembered to pass each event once, live or read. */
  windowMs: number;
}

/** The error a subscriber that fell {@link MAX_BACKLOG} changes behind is cut off with. */
const backlogError = () =>
  new Error(`This subscriber fell ${MAX_BACKLOG} changes behind and was disconnected; resubscribe with since: the changedAt of the last change received.`);

/**
 * One subscriber's stream: events it wants, queued until it asks for them; past ones
 * (catch-up) first. Or, once `push` was called, handed to a sink as they come (the shared
 * fan-out's path: no queue and no promise per event here; the consumer keeps the backlog).
 */
class Subscriber implements AsyncIterableIterator<RatingChangedEvent>, PushSource<RatingChangedEvent> {
  /** Read from the outbox (catch-up): served before the live queue, not counted in its backlog. */
  private readonly past: RatingChangedEvent[] = [];
  private readonly live: RatingChangedEvent[] = [];
  private waiting?: { resolve: (r: IteratorResult<RatingChangedEvent>) => void; reject: (e: Error) => void };
  private failed?: Error;
  private done = false;
  /** During a catch-up: every id passed on, so an event that comes both ways is passed on once. */
  private seen?: Set<string>;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Set by `push`: where every event goes instead of the queues. */
  private sink?: (e: RatingChangedEvent) => void;

  constructor(
    private readonly wants: (e: RatingChangedEvent) => boolean,
    private readonly leave: (s: Subscriber) => void,
    private readonly handed?: (e: RatingChangedEvent) => void,
  ) {}

  private hand(e: RatingChangedEvent, to: RatingChangedEvent[]): void {
    if (this.seen) {
      if (this.seen.has(e.eventId)) return;
      this.seen.add(e.eventId);
    }
    this.handed?.(e);
    if (this.sink) return this.sink(e);
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      return w.resolve({ value: e, done: false });
    }
    to.push(e);
  }

  offer(e: RatingChangedEvent): void {
    if (this.done || !this.wants(e)) return;
    if (this.live.length >= MAX_BACKLOG) return this.fail(backlogError());
    this.hand(e, this.live);
  }

  push(sink: (e: RatingChangedEvent) => void): void {
    if (this.done) return;
    // A consumer that pushes is never waiting in next(): what is queued goes first, in the order next() would have served it.
    const queued = [...this.past.splice(0), ...this.live.splice(0)];
    this.sink = sink;
    for (const e of queued) sink(e);
  }

  behind(backlog: number): Error | null {
    return backlog >= MAX_BACKLOG ? backlogError() : null;
  }

  /**
   * Delivers the past (read from the outbox) ahead of live events, each event once: reads
   * now, again after each of `rereadAfterMs`, and forgets ids after `windowMs`. A failed
   * first read ends the stream with its error; later ones are logged.
   */
  async catchUp(c: CatchUp): Promise<void> {
    this.seen = new Set(this.live.map((e) => e.eventId));
    const take = (events: RatingChangedEvent[]) => {
      if (this.done) return;
      for (const e of events) if (this.wants(e)) this.hand(e, this.past);
    };
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        fn();
      }, ms);
      t.unref();
      this.timers.add(t);
    };
    take(await c.read());
    for (const ms of c.rereadAfterMs) later(ms, () => void c.read().then(take, (err) => logger.warn({ err }, 'subscription catch-up: re-read failed')));
    later(c.windowMs, () => (this.seen = undefined));
  }

  next(): Promise<IteratorResult<RatingChangedEvent>> {
    if (this.past.length) return Promise.resolve({ value: this.past.shift()!, done: false });
    if (this.live.length) return Promise.resolve({ value: this.live.shift()!, done: false });
    if (this.failed) return Promise.reject(this.failed);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private fail(err: Error): void {
    this.failed = err;
    this.live.length = 0;
    this.past.length = 0;
    const w = this.waiting;
    this.waiting = undefined;
    void this.return();
    w?.reject(err);
  }

  return(): Promise<IteratorResult<RatingChangedEvent>> {
    if (!this.done) {
      this.done = true;
      this.leave(this);
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.seen = undefined;
      this.sink = undefined;
      this.waiting?.resolve({ value: undefined, done: true });
      this.waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
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

  /** The events `wants` keeps, from now on, until the stream is returned; `handed` is told of each one passed on (once per event). */
  subscribe(
    wants: (e: RatingChangedEvent) => boolean = () => true,
    handed?: (e: RatingChangedEvent) => void,
  ): AsyncIterableIterator<RatingChangedEvent> & PushSource<RatingChangedEvent> & { catchUp(c: CatchUp): Promise<void> } {
    const s = new Subscriber(wants, (gone) => this.subscribers.delete(gone), handed);
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
    this.redis.on('error', (err) => logger.debug({ err }, 'rating feed: redis error'));
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
      logger.warn({ err }, 'rating feed: unreadable message dropped');
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
        const page = await changesSince(this.db.manager, since, ALL_CHANGES, 1000, afterId);
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

  stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.redis.disconnect();
    return Promise.resolve();
  }
}
