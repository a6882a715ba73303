import { RedisCounter } from '../../src/platform/http/rate-limit';

/** A Redis that does not answer must not take /graphql down with the rate limiter: the process counts on its own, at once. */
it('counts in the process, without waiting, while Redis does not answer', async () => {
  const counter = new RedisCounter('redis://127.0.0.1:1', 'hubtest-rl-down', 300); // nothing listens on port 1
  try {
    const started = Date.now();
    expect(await counter.hit('k', 60_000)).toMatchObject({ count: 1 });
    expect(await counter.hit('k', 60_000)).toMatchObject({ count: 2 });
    expect(Date.now() - started).toBeLessThan(2_000);
  } finally {
    await counter.close();
  }
});
