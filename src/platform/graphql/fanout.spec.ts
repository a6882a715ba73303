import { EventEmitter } from 'node:events';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, parse } from 'graphql';
import type { WebSocket } from 'ws';
import type { Context } from '../context';
import { FANOUT_HIGH_WATER_BYTES, SharedFanout } from './fanout';
import type { PushSource } from './push-source';

/** The event of the test schema: `n`, and optionally a promise the resolver waits for. */
interface Tick {
  n: number;
  gate?: Promise<void>;
}
let executions = 0;
const Tick = new GraphQLObjectType({ name: 'Tick', fields: { n: { type: GraphQLInt } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      tick: {
        type: Tick,
        resolve: async (e: Tick) => {
          executions++;
          await e.gate;
          return e;
        },
      },
    },
  }),
});
const document = parse('subscription { tick { n } }');

/** A ws WebSocket as the fan-out uses it: send, readyState, bufferedAmount and the net socket's cork and drain. */
function fakeSocket() {
  // `writes`: the writes reaching the kernel (sends outside a cork, or an uncork with sends held).
  const raw = Object.assign(new EventEmitter(), {
    corked: 0,
    held: 0,
    writes: 0,
    cork: () => raw.corked++,
    uncork: () => {
      if (--raw.corked === 0 && raw.held) {
        raw.writes++;
        raw.held = 0;
      }
    },
  });
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    sent: [] as string[],
    _socket: raw,
    send: (s: string) => {
      ws.sent.push(s);
      if (raw.corked) raw.held++;
      else raw.writes++;
    },
  };
  return { ws, raw, socket: ws as unknown as WebSocket };
}

class Source implements PushSource<Tick> {
  sink?: (e: Tick) => void;
  returned = false;
  constructor(private readonly limit = 100) {}
  push(sink: (e: Tick) => void) {
    this.sink = sink;
  }
  behind(backlog: number) {
    return backlog >= this.limit ? new Error(`fell ${this.limit} behind`) : null;
  }
  emit(e: Tick) {
    this.sink?.(e);
  }
  next(): Promise<IteratorResult<Tick>> {
    return Promise.resolve({ value: undefined, done: true });
  }
  return(): Promise<IteratorResult<Tick>> {
    this.returned = true;
    this.sink = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }
}

const context = () => ({ personalDataRead: new Set<string>() }) as unknown as Context;
const args = () => ({ schema, document, contextValue: context() });
const turn = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const fanout = () => new SharedFanout(() => Promise.resolve());

beforeEach(() => (executions = 0));

describe('shared fan-out', () => {
  it('executes and serialises each event once per share key and splices each subscription id into the message', async () => {
    const f = fanout();
    const s = fakeSocket();
    const [a, b] = [new Source(), new Source()];
    f.attach('k', { id: 'a', socket: s.socket, args: args() }, a);
    f.attach('k', { id: 'b"2', socket: s.socket, args: args() }, b);
    const e = { n: 1 };
    a.emit(e);
    b.emit(e);
    await turn();
    expect(executions).toBe(1);
    expect(s.ws.sent).toEqual([
      '{"id":"a","type":"next","payload":{"data":{"tick":{"n":1}}}}',
      '{"id":"b\\"2","type":"next","payload":{"data":{"tick":{"n":1}}}}',
    ]);
    expect(s.ws.sent.map((m) => JSON.parse(m).id)).toEqual(['a', 'b"2']);
  });

  it("keeps each subscriber's order when a later answer is ready first, and writes a burst corked", async () => {
    const f = fanout();
    const s = fakeSocket();
    const src = new Source();
    f.attach('k', { id: '1', socket: s.socket, args: args() }, src);
    let open!: () => void;
    src.emit({ n: 1, gate: new Promise<void>((r) => (open = r)) });
    src.emit({ n: 2 });
    await turn();
    expect(s.ws.sent).toEqual([]);
    open();
    await turn();
    expect(s.ws.sent.map((m) => JSON.parse(m).payload.data.tick.n)).toEqual([1, 2]);
    expect(s.raw.writes).toBe(1); // both frames in one uncork
  });

  it('waits for drain past the high-water mark, and cuts off a subscriber that falls too far behind', async () => {
    const f = fanout();
    const slow = fakeSocket();
    const fast = fakeSocket();
    const src = new Source(3);
    const other = new Source(3);
    const it = f.attach('k', { id: 's', socket: slow.socket, args: args() }, src);
    f.attach('k', { id: 'f', socket: fast.socket, args: args() }, other);
    slow.ws.bufferedAmount = FANOUT_HIGH_WATER_BYTES;
    for (const n of [1, 2]) {
      const e = { n };
      src.emit(e);
      other.emit(e);
    }
    await turn();
    expect(slow.ws.sent).toEqual([]);
    expect(fast.ws.sent).toHaveLength(2); // one slow socket holds nobody else up
    slow.ws.bufferedAmount = 0;
    slow.raw.emit('drain');
    await turn();
    expect(slow.ws.sent).toHaveLength(2);

    slow.ws.bufferedAmount = FANOUT_HIGH_WATER_BYTES;
    const pending = it.next();
    for (const n of [3, 4, 5, 6]) src.emit({ n });
    await expect(pending).rejects.toThrow('fell 3 behind');
    expect(src.returned).toBe(true);
    expect(f.size).toBe(1);
  });

  it('ends on return: the pending next is done, the source returned, nothing more is written', async () => {
    const f = fanout();
    const s = fakeSocket();
    const src = new Source();
    const it = f.attach('k', { id: '1', socket: s.socket, args: args() }, src);
    const pending = it.next();
    await it.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(src.returned).toBe(true);
    src.emit({ n: 1 });
    await turn();
    expect(s.ws.sent).toEqual([]);
    expect(f.size).toBe(0);
  });
});
