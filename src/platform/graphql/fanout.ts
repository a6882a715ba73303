import type { Socket } from 'node:net';
import { ExecutionArgs, ExecutionResult, execute } from 'graphql';
import type { WebSocket } from 'ws';
import { logger } from '../logger';
import { wsSharedSubscriptions, wsSubscriptions } from '../metrics';
import type { Context } from '../context';
import type { PushSource } from './push-source';
import { maskResult } from './unexpected-errors';

/**
 * Buffered bytes a socket may hold before its subscriptions stop writing until it drains
 * (the same bound as graphql-ws's own sends in ws-adapter.ts).
 */
export const FANOUT_HIGH_WATER_BYTES = 1 << 20;

/** One event's answer for a share key: serialised once, spliced into every member's message. */
interface Prepared {
  /** The `payload` of a `next` message, as JSON text; set once the execution finished. */
  json?: string;
  /** Set when the execution itself failed (graphql-js reports resolver errors in the result instead). */
  error?: Error;
}

/** What a member needs of its subscription: graphql-ws's id, its socket, the execution arguments with its own context. */
export interface FanoutMember {
  id: string;
  socket: WebSocket;
  args: ExecutionArgs;
}

/** The net.Socket under a ws WebSocket, to cork a burst of frames into one write (ws has no cork of its own). */
const rawSocket = (ws: WebSocket): Socket | undefined => (ws as unknown as { _socket?: Socket })._socket;

class Member {
  /** `{"id":"…","type":"next","payload":` — the payload and `}` follow. */
  readonly prefix: string;
  readonly queue: Prepared[] = [];
  private ended = false;
  private draining = false;
  private settle?: { resolve(r: IteratorResult<ExecutionResult>): void; reject(e: Error): void };
  private failure?: Error;

  constructor(
    readonly m: FanoutMember,
    readonly source: PushSource,
    private readonly group: Group,
    private readonly fanout: SharedFanout,
  ) {
    this.prefix = `{"id":${JSON.stringify(m.id)},"type":"next","payload":`;
  }

  get context(): Context {
    return this.m.args.contextValue as Context;
  }

  offer(event: unknown): void {
    if (this.ended) return;
    const tooFar = this.source.behind(this.queue.length);
    if (tooFar) return this.fail(tooFar);
    const p = this.group.prepare(event);
    this.queue.push(p);
    if (p.json !== undefined || p.error) this.fanout.schedule(this);
  }

  /** Writes the ready head of the queue, in order, corked into one write; stops at a socket past the high-water mark until it drains. */
  flush(): void {
    if (this.ended || !this.queue.length) return;
    const ws = this.m.socket;
    if (ws.readyState !== ws.OPEN) return;
    if (this.queue[0].json === undefined && !this.queue[0].error) return; // an earlier answer is still executing
    const raw = rawSocket(ws);
    raw?.cork();
    try {
      while (this.queue.length) {
        const head = this.queue[0];
        if (head.error) return this.fail(head.error);
        if (head.json === undefined) return;
        if (ws.bufferedAmount >= FANOUT_HIGH_WATER_BYTES) return this.waitForDrain(raw);
        this.queue.shift();
        ws.send(this.prefix + head.json + '}');
      }
    } finally {
      raw?.uncork();
    }
  }

  private waitForDrain(raw: Socket | undefined): void {
    if (this.draining || !raw) return;
    this.draining = true;
    raw.once('drain', () => {
      this.draining = false;
      this.fanout.schedule(this);
    });
  }

  /** Ends the member: its source stream returns, the queue is dropped, graphql-ws's pending `next()` settles. */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.group.leave(this);
    wsSubscriptions.dec();
    wsSharedSubscriptions.dec();
    void Promise.resolve(this.source.return?.()).catch((err: unknown) => logger.warn({ err }, 'subscription source failed to end'));
    if (error) this.failure = error;
    const s = this.settle;
    this.settle = undefined;
    if (s) {
      if (error) s.reject(error);
      else s.resolve({ value: undefined, done: true });
    }
  }

  private fail(error: Error): void {
    this.end(error);
  }

  /**
   * What graphql-ws iterates: it never yields (the messages go out spliced, above) and ends
   * when the member does: done on `return()` (the client completed, or the socket closed),
   * rejected when the member failed (graphql-ws then sends the `error` message).
   */
  iterator(): AsyncIterableIterator<ExecutionResult> {
    const next = (): Promise<IteratorResult<ExecutionResult>> => {
      if (this.failure) return Promise.reject(this.failure);
      if (this.ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    };
    const it: AsyncIterableIterator<ExecutionResult> = {
      next,
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (e: unknown) => {
        this.end();
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }
}

/** The members of one share key: they receive the same payload for the same event. */
class Group {
  readonly members = new Set<Member>();
  /** Per event object (every subscriber of the process is handed the same one), its prepared answer. */
  private readonly answers = new WeakMap<object, Prepared>();

  constructor(
    private readonly key: string,
    private readonly fanout: SharedFanout,
  ) {}

  /** The event's answer for this key: executed and serialised on first demand, once. */
  prepare(event: unknown): Prepared {
    const keyed = typeof event === 'object' && event !== null;
    let p = keyed ? this.answers.get(event) : undefined;
    if (p) return p;
    p = {};
    if (keyed) this.answers.set(event, p);
    void this.run(event, p);
    return p;
  }

  private async run(event: unknown, p: Prepared): Promise<void> {
    // Executed in one member's context: all of them hold the same rights (the share key says so).
    const [first] = this.members;
    try {
      const result = maskResult(await execute({ ...first.m.args, rootValue: event }));
      await this.fanout.auditPersonalReads(first.context, this.members);
      const { errors, ...rest } = result;
      // As graphql-ws serialises a result (errors by their toJSON).
      p.json = JSON.stringify(errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest);
    } catch (err) {
      logger.error({ err }, 'shared subscription execution failed');
      p.error = err instanceof Error ? err : new Error(String(err));
    }
    for (const m of this.members) this.fanout.schedule(m);
  }

  leave(m: Member): void {
    this.members.delete(m);
    if (!this.members.size) this.fanout.drop(this.key, this);
  }
}

/**
 * The shared fan-out of subscriptions whose subscribers see the same thing (a share key:
 * same operation and variables, same rights, same language). Each event is executed and
 * serialised once per share key; every member's `next` message is that JSON with its own
 * subscription id spliced in, written straight to its socket. Members keep their own
 * ordered queue (an event's answer may still be executing when a later one is ready);
 * the writes of one turn of the event loop go out corked per socket, and a socket past the
 * high-water mark waits for `drain` while its queue grows (bounded by the source's
 * `behind`). graphql-ws keeps the protocol: subscribe, complete, error, ping/pong.
 */
export class SharedFanout {
  private readonly groups = new Map<string, Group>();
  private readonly dirty = new Set<Member>();
  private scheduled = false;

  constructor(
    /** Audits a personal-data read noted in `executed` (the context the shared answer ran in) for each member, in its own context. */
    private readonly audit: (ctx: Context, enterpriseIds: string[]) => Promise<void>,
  ) {}

  /**
   * Joins `m` to its share key's group and starts pushing `source` into it; the returned
   * iterator is what graphql-ws holds for the subscription (its `return()` leaves).
   */
  attach(key: string, m: FanoutMember, source: PushSource): AsyncIterableIterator<ExecutionResult> {
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new Group(key, this)));
    const member = new Member(m, source, group, this);
    group.members.add(member);
    wsSubscriptions.inc();
    wsSharedSubscriptions.inc();
    source.push((event) => member.offer(event));
    return member.iterator();
  }

  /** Flushes `m` in this turn's burst (after the events and answers that arrive in it). */
  schedule(m: Member): void {
    this.dirty.add(m);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const members = [...this.dirty];
      this.dirty.clear();
      for (const member of members) member.flush();
    });
  }

  drop(key: string, g: Group): void {
    if (this.groups.get(key) === g) this.groups.delete(key);
  }

  async auditPersonalReads(executed: Context, members: Iterable<Member>): Promise<void> {
    // Share keys exclude the roles that read personal data unmasked, so this stays empty; should one ever share, every member is audited as its own read.
    if (!executed.personalDataRead.size) return;
    const ids = [...executed.personalDataRead];
    executed.personalDataRead.clear();
    await Promise.all([...members].map((m) => this.audit(m.context, ids).catch((err: unknown) => logger.error({ err }, 'audit append failed'))));
  }

  /** Subscriptions on the shared path now (tests). */
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.members.size;
    return n;
  }
}
