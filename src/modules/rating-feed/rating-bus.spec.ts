import { RatingChangedEvent } from '../outbox/outbox';
import { MAX_BACKLOG, RatingBus } from './rating-bus';

const event = (n: number, regionCode = '130821'): RatingChangedEvent => ({
  eventId: `e${n}`,
  type: 'rating.changed',
  sequence: n,
  enterpriseId: 'x',
  creditCode: 'c',
  regionCode,
  previousGrade: 'B',
  grade: 'D',
  score: 1,
  policyVersion: 'p',
  asOf: '',
  ratingId: 'r',
  evaluatedAt: '',
  changedAt: '',
});

describe('rating bus', () => {
  it('passes each event once to every subscriber that wants it, in order', async () => {
    const bus = new RatingBus();
    const all = bus.subscribe();
    const near = bus.subscribe((e) => e.regionCode.startsWith('1308'));
    expect(bus.deliver(event(1))).toBe(true);
    expect(bus.deliver(event(1))).toBe(false);
    bus.deliver(event(2, '110101'));
    bus.deliver(event(3));
    expect([(await all.next()).value.eventId, (await all.next()).value.eventId, (await all.next()).value.eventId]).toEqual(['e1', 'e2', 'e3']);
    expect([(await near.next()).value.eventId, (await near.next()).value.eventId]).toEqual(['e1', 'e3']);
  });

  it('ends a stream on return (a pending next resolves done) and forgets the subscriber', async () => {
    const bus = new RatingBus();
    const s = bus.subscribe();
    const pending = s.next();
    await s.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(bus.size).toBe(0);
  });

  it('cuts off a subscriber that falls too far behind, with a reason', async () => {
    const bus = new RatingBus();
    const slow = bus.subscribe();
    for (let i = 0; i <= MAX_BACKLOG; i++) bus.deliver(event(i));
    await expect(slow.next()).rejects.toThrow(/fell 10000 changes behind/);
    expect(bus.size).toBe(0);
  });
});

describe('rating bus catch-up', () => {
  it('puts past events ahead of queued live ones, passes each once, and re-reads later', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const bus = new RatingBus();
      const s = bus.subscribe((e) => e.regionCode === '130821');
      bus.deliver(event(3)); // live, queued before the catch-up read comes back
      let reads = 0;
      await s.catchUp({
        read: () => Promise.resolve(++reads === 1 ? [event(1), event(2, '110101'), event(3), event(4)] : [event(4), event(6)]),
        rereadAfterMs: [2000],
        windowMs: 60_000,
      });
      bus.deliver(event(4)); // its live copy comes later
      bus.deliver(event(5));
      const got: string[] = [];
      for (let i = 0; i < 4; i++) got.push((await s.next()).value.eventId);
      expect(got).toEqual(['e1', 'e4', 'e3', 'e5']);
      await jest.advanceTimersByTimeAsync(2000); // the re-read finds e6, committed late
      expect((await s.next()).value.eventId).toBe('e6');
      await s.return!();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a reader already waiting gets a past event at once', async () => {
    const bus = new RatingBus();
    const s = bus.subscribe();
    const pending = s.next();
    await s.catchUp({ read: () => Promise.resolve([event(1)]), rereadAfterMs: [], windowMs: 10 });
    expect((await pending).value.eventId).toBe('e1');
  });
});

describe('rating bus push', () => {
  it('hands what is queued first (past ahead of live), then each kept event as it comes, once; nothing after return', async () => {
    const bus = new RatingBus();
    const handed: string[] = [];
    const s = bus.subscribe(
      (e) => e.regionCode === '130821',
      (e) => handed.push(e.eventId),
    );
    bus.deliver(event(2));
    await s.catchUp({ read: () => Promise.resolve([event(1), event(2)]), rereadAfterMs: [], windowMs: 60_000 });
    const got: string[] = [];
    s.push((e) => got.push(e.eventId));
    bus.deliver(event(3, '110101'));
    bus.deliver(event(4));
    bus.deliver(event(4));
    expect(got).toEqual(['e1', 'e2', 'e4']);
    expect(handed).toEqual(['e2', 'e1', 'e4']); // the delivery log notes each event once, when it is handed on
    await s.return!();
    bus.deliver(event(5));
    expect(got).toEqual(['e1', 'e2', 'e4']);
    expect(bus.size).toBe(0);
  });

  it('leaves the backlog to the pushing consumer: behind() names the limit', () => {
    const s = new RatingBus().subscribe();
    expect(s.behind(MAX_BACKLOG - 1)).toBeNull();
    expect(s.behind(MAX_BACKLOG)?.message).toMatch(/fell 10000 changes behind/);
  });
});
