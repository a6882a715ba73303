import { ALL_JOBS } from './index';
import { detectJob } from './detect.job';
import { evaluateJob } from './evaluate.job';
import { notifyJob } from './notify.job';
import { syncJob, SyncPayload } from './sync.job';
import { tickJob } from './tick.job';
import { InProcessJobQueue, JobDefinition, QUEUES, jobRegistry } from '../src/platform/queue';

describe('job registry', () => {
  it('every job has one handler on a known queue, and every queue has work', () => {
    const registry = jobRegistry(ALL_JOBS);
    expect([...registry.keys()].sort()).toEqual(['detect', 'evaluate', 'notify', 'sync', 'tick']);
    expect(new Set(ALL_JOBS.map((j) => j.queue))).toEqual(new Set(Object.keys(QUEUES)));
  });
  it('refuses two handlers for one job name', () => {
    expect(() => jobRegistry([...ALL_JOBS, ALL_JOBS[0]])).toThrow(/two handlers/);
  });
});

describe('natural job ids', () => {
  it('name the work they stand for, so the same work always gets the same id', () => {
    expect(syncJob.jobId({ runId: 'r1' })).toBe('sync-run:r1');
    expect(detectJob.jobId({ reason: 'run:r1', meterIds: ['m1'] })).toBe('detect:run:r1');
    expect(evaluateJob.jobId({ reason: 'day:20000', enterpriseIds: ['e1'] })).toBe('evaluate:day:20000');
    expect(notifyJob.jobId({ deliveryId: 'd1', generation: 2, attempts: 3 })).toBe('notify:d1:2:3');
    expect(tickJob.jobId({ slot: 42 })).toBe('tick:42');
  });

  it('differ for different work: another run, trigger, slot, delivery, round or attempt', () => {
    const ids = [
      syncJob.jobId({ runId: 'r1' }),
      syncJob.jobId({ runId: 'r2' }),
      detectJob.jobId({ reason: 'run:r1' }),
      detectJob.jobId({ reason: 'slot:7' }),
      evaluateJob.jobId({ reason: 'day:1' }),
      evaluateJob.jobId({ reason: 'day:2' }),
      tickJob.jobId({ slot: 1 }),
      tickJob.jobId({ slot: 2 }),
      notifyJob.jobId({ deliveryId: 'd1', generation: 0, attempts: 0 }),
      notifyJob.jobId({ deliveryId: 'd1', generation: 0, attempts: 1 }), // a retry is its own job
      notifyJob.jobId({ deliveryId: 'd1', generation: 1, attempts: 0 }), // so is a replay
      notifyJob.jobId({ deliveryId: 'd2', generation: 0, attempts: 0 }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('make adding the same sync run twice a no-op on a queue, and another run a job of its own', async () => {
    const ran: string[] = [];
    // The real sync definition (its id, queue, attempts) with a handler that only records (and no failure hook: it needs the process's deps).
    const recording: JobDefinition<SyncPayload> = { ...syncJob, onFailed: undefined, handle: (p) => Promise.resolve(void ran.push(p.runId)) };
    const q = new InProcessJobQueue();
    await q.add(recording, { runId: 'r1' });
    await q.add(recording, { runId: 'r1' });
    await q.add(recording, { runId: 'r2' });
    await q.startWorkers([recording]);
    await q.drain();
    await q.close();
    expect(ran.sort()).toEqual(['r1', 'r2']);
  });
});
