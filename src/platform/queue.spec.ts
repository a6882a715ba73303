import { InProcessJobQueue, JobDefinition, UnrecoverableJobError } from './queue';

describe('in-process job queue (the embedded default)', () => {
  it('dedupes by natural id, retries with backoff, and gives up on unrecoverable input', async () => {
    const calls: string[] = [];
    const flaky: JobDefinition<{ id: string }> = {
      name: 'flaky',
      queue: 'sync',
      jobId: (p) => `flaky:${p.id}`,
      attempts: 3,
      backoffMs: 5,
      handle(p, { attempt }) {
        calls.push(`${p.id}#${attempt}`);
        if (p.id === 'bad') return Promise.reject(new UnrecoverableJobError('bad input'));
        if (attempt < 3) return Promise.reject(new Error('feed down'));
        return Promise.resolve();
      },
    };
    const q = new InProcessJobQueue();
    await q.startWorkers([flaky]);
    await q.add(flaky, { id: 'a' });
    await q.add(flaky, { id: 'a' }); // same natural id while queued: no-op
    await q.add(flaky, { id: 'bad' });
    await q.drain();
    expect(calls.sort()).toEqual(['a#1', 'a#2', 'a#3', 'bad#1']);
    await q.close();
  });

  it('tells the job once it has failed for good', async () => {
    const failed: string[] = [];
    const down: JobDefinition<{ id: string }> = {
      name: 'down',
      queue: 'detect',
      jobId: (p) => p.id,
      attempts: 2,
      backoffMs: 5,
      handle: () => Promise.reject(new Error('still down')),
      onFailed(p, err) {
        failed.push(`${p.id}: ${err.message}`);
        return Promise.resolve();
      },
    };
    const q = new InProcessJobQueue();
    await q.startWorkers([down]);
    await q.add(down, { id: 'x' });
    await q.drain(); // the failed attempt's run ends once its onFailed hook has
    expect(failed).toEqual(['x: still down']);
    await q.close();
  });
});
