import { ALL_JOBS } from './index';
import { QUEUES, jobRegistry } from '../src/platform/queue';

describe('job registry', () => {
  it('every job has one handler on a known queue, and every queue has work', () => {
    const registry = jobRegistry(ALL_JOBS);
    expect([...registry.keys()].sort()).toEqual(['detect', 'evaluate', 'notify', 'sync', 'tick']);
    expect(new Set(ALL_JOBS.map((j) => j.queue))).toEqual(new Set(Object.keys(QUEUES)));
  });
  it('refuses two handlers for one job name', () => {
    expect(() => jobRegistry([...ALL_JOBS, ALL_JOBS[0]])).toThrow(/two handlers/);
  });
  it('natural ids make a repeat a no-op', () => {
    const sync = ALL_JOBS.find((j) => j.name === 'sync')!;
    expect(sync.jobId({ runId: 'r1' })).toBe(sync.jobId({ runId: 'r1' }));
  });
});
