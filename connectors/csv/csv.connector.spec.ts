import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connector, FeedError, Page } from '../connector';
import { csvConnector, splitCsvLine } from './csv.connector';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'csv-connector-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => fs.writeFile(path.join(dir, name), text);
const ls = async (sub = '') =>
  (await fs.readdir(path.join(dir, sub), { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
const make = (extra: Record<string, unknown> = {}) => csvConnector.create(csvConnector.parseConfig({ dir, ...extra }));

/** The sync loop: store (collect) each page, then advance, until done. */
async function drain(c: Connector, cursor: string | null, limit: number) {
  const pages: Page[] = [];
  for (;;) {
    const page = await c.fetchPage(cursor, { limit });
    pages.push(page);
    cursor = page.nextCursor;
    if (page.done) return { pages, cursor };
    if (pages.length > 50) throw new Error('no end in sight');
  }
}

// a.csv: BOM, CRLF, columns in another order with odd case, quoted fields, a blank line, bad rows.
const A =
  [
    '\uFEFFreadAt,METERCODE,flowrate,CumulativeVolume', // 1
    '2025-05-01T00:00:00Z,M1,1.5,100', // 2
    '2025-05-01T00:15:00+08:00,"M,2",,200.25', // 3
    '2025-05-01T00:30:00Z,M1,1.5,abc', // 4 bad number
    '', // 5 blank
    'yesterday,M1,1.5,101', // 6 bad date
    '2025-05-01T00:45:00Z,"M ""3""",0,300', // 7
    '2025-05-01T01:00:00Z,M1', // 8 too few fields
    '2025-05-01T01:15:00Z,M1,2,-5', // 9 negative totaliser
    '2025-05-01T01:30:00Z,"M1,1,102', // 10 unterminated quote
    '2025-05-01T01:45:00Z,M1,,103', // 11
  ].join('\r\n') + '\r\n';

// b.csv: five good rows, for paging.
const B = ['meterCode,readAt,cumulativeVolume', ...[1, 2, 3, 4, 5].map((i) => `B${i},2025-05-02T00:0${i}:00Z,${i}`)].join('\n') + '\n';

describe('csv connector', () => {
  it('reads each file once in name order, reports bad rows by line, pages within a file, moves files after completion', async () => {
    await write('b.csv', B);
    await write('a.csv', A);
    await write('notes.txt', 'ignored');
    const c = make();

    const first = await c.fetchPage(null, { limit: 100 });
    expect(first.nextCursor).toBe('a.csv#11');
    expect(first.done).toBe(false);
    expect(first.readings).toEqual([
      { meterCode: 'M1', readAt: new Date('2025-05-01T00:00:00Z'), cumulativeVolume: 100, flowRate: 1.5 },
      { meterCode: 'M,2', readAt: new Date('2025-04-30T16:15:00Z'), cumulativeVolume: 200.25, flowRate: null },
      { meterCode: 'M "3"', readAt: new Date('2025-05-01T00:45:00Z'), cumulativeVolume: 300, flowRate: 0 },
      { meterCode: 'M1', readAt: new Date('2025-05-01T01:45:00Z'), cumulativeVolume: 103, flowRate: null },
    ]);
    expect(first.rejected.map((r) => r.position)).toEqual([4, 6, 8, 9, 10]);
    expect(first.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^a\.csv line 4: cumulativeVolume "abc" is not a finite number/),
      expect.stringMatching(/^a\.csv line 6: readAt "yesterday" is not an ISO 8601/),
      expect.stringMatching(/^a\.csv line 8: 2 fields, the header has 4/),
      expect.stringMatching(/^a\.csv line 9: cumulativeVolume -5 is negative/),
      expect.stringMatching(/^a\.csv line 10: unterminated quoted field/),
    ]);
    // Not moved yet: the sync has not stored the page.
    expect(await ls()).toEqual(['a.csv', 'b.csv', 'notes.txt']);

    // Asking for the page after a.csv's last one moves it and starts on b.csv, two rows a page.
    const p2 = await c.fetchPage(first.nextCursor, { limit: 2 });
    expect(await ls()).toEqual(['b.csv', 'notes.txt']);
    expect(await ls('processed')).toEqual(['a.csv']);
    expect(p2.readings.map((r) => r.meterCode)).toEqual(['B1', 'B2']);
    expect(p2.nextCursor).toBe('b.csv#3');

    const rest = await drain(c, p2.nextCursor, 2);
    expect(rest.pages.map((p) => p.readings.map((r) => r.meterCode))).toEqual([['B3', 'B4'], ['B5'], []]);
    expect(rest.pages.map((p) => p.nextCursor)).toEqual(['b.csv#5', 'b.csv#6', 'b.csv#done']);
    expect(rest.pages.map((p) => p.done)).toEqual([false, false, true]);
    expect(await ls()).toEqual(['notes.txt']);
    expect(await ls('processed')).toEqual(['a.csv', 'b.csv']);

    // A second run, from the stored cursor: nothing.
    const again = await make().fetchPage(rest.cursor, { limit: 100 });
    expect(again).toEqual({ readings: [], rejected: [], nextCursor: 'b.csv#done', done: true });
    expect(await make().fetchPage(null, { limit: 100 })).toEqual({ readings: [], rejected: [], nextCursor: null, done: true });
  });

  it('resumes mid-file from a file#line cursor (a crash after storing a page)', async () => {
    await write('b.csv', B);
    const crashed = make();
    const p1 = await crashed.fetchPage(null, { limit: 3 });
    expect(p1.nextCursor).toBe('b.csv#4');
    // The worker dies here; another one starts from the stored cursor.
    const { pages } = await drain(make(), 'b.csv#4', 3);
    expect(pages.flatMap((p) => p.readings.map((r) => r.meterCode))).toEqual(['B4', 'B5']);
    expect(await ls('processed')).toEqual(['b.csv']);
  });

  it('re-reads a page whose storing did not finish (cursor not advanced)', async () => {
    await write('b.csv', B);
    const c = make();
    const p1 = await c.fetchPage(null, { limit: 2 });
    const replay = await make().fetchPage(null, { limit: 2 });
    expect(replay).toEqual(p1);
    expect(await ls()).toEqual(['b.csv']);
  });

  it('rejects a file with a bad header as a whole and moves it to processed/rejected', async () => {
    await write('c.csv', 'meter;time;volume\nM1;2025-05-01T00:00:00Z;1\n');
    await write('d.csv', 'meterCode,readAt,cumulativeVolume\nD1,2025-05-01T00:00:00Z,1\n');
    const c = make();
    const p1 = await c.fetchPage(null, { limit: 100 });
    expect(p1.readings).toEqual([]);
    expect(p1.rejected).toEqual([{ position: 1, reason: expect.stringMatching(/^c\.csv: bad header: missing columns meterCode, readAt, cumulativeVolume/) }]);
    expect(p1.rejected[0].reason).toMatch(/delimiter/);
    expect(p1).toMatchObject({ nextCursor: 'c.csv#2', done: false });
    expect(await ls()).toEqual(['c.csv', 'd.csv']);

    const p2 = await c.fetchPage(p1.nextCursor, { limit: 100 });
    expect(await ls('processed/rejected')).toEqual(['c.csv']);
    expect(p2.readings.map((r) => r.meterCode)).toEqual(['D1']);
    expect((await drain(c, p2.nextCursor, 100)).cursor).toBe('d.csv#done');
    expect(await ls('processed')).toEqual(['d.csv']);
  });

  it('treats an empty file as a bad header and a header-only file as finished', async () => {
    await write('e1.csv', '');
    await write('e2.csv', 'meterCode,readAt,cumulativeVolume\r\n');
    const { pages } = await drain(make(), null, 10);
    expect(pages.map((p) => [p.rejected.length, p.nextCursor])).toEqual([
      [1, 'e1.csv#1'],
      [0, 'e2.csv#done'],
    ]);
    expect(await ls('processed/rejected')).toEqual(['e1.csv']);
    expect(await ls('processed')).toEqual(['e2.csv']);
  });

  it('reads a file dropped again under a processed name, keeping both copies', async () => {
    await write('b.csv', B);
    const first = await drain(make(), null, 100);
    expect(first.cursor).toBe('b.csv#done');
    await write('b.csv', B.replace('B1,', 'Z1,'));
    const second = await drain(make(), first.cursor, 100);
    expect(second.pages[0].readings[0].meterCode).toBe('Z1');
    expect(await ls('processed')).toEqual(['b.1.csv', 'b.csv']);
  });

  it('honours delimiter, pattern, processedDir and assumeOffset', async () => {
    const done = path.join(dir, '..', `${path.basename(dir)}-done`);
    await write('x.txt', 'meterCode;readAt;cumulativeVolume;flowRate\nX1;2025-05-01 08:00:00;1,5;\nX2;2025-05-01 08:00:00;2;3\n');
    await write('y.csv', 'not me');
    try {
      const c = make({ delimiter: ';', pattern: '*.TXT', processedDir: done, assumeOffset: '+08:00' });
      const { pages } = await drain(c, null, 10);
      expect(pages[0].readings).toEqual([{ meterCode: 'X2', readAt: new Date('2025-05-01T00:00:00Z'), cumulativeVolume: 2, flowRate: 3 }]);
      expect(pages[0].rejected).toEqual([{ position: 2, reason: expect.stringMatching(/"1,5" is not a finite number/) }]);
      expect(await fs.readdir(done)).toEqual(['x.txt']);
      expect(await ls()).toEqual(['y.csv']);
    } finally {
      await fs.rm(done, { recursive: true, force: true });
    }
  });

  it('leaves files younger than minAgeMs for later', async () => {
    await write('b.csv', B);
    // The kernel stamps files with its own clock; under faketime this process's differs, so say "just now" in ours.
    await fs.utimes(path.join(dir, 'b.csv'), new Date(), new Date());
    expect((await make({ minAgeMs: 60_000 }).fetchPage(null, { limit: 10 })).done).toBe(true);
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(path.join(dir, 'b.csv'), old, old);
    expect((await make({ minAgeMs: 60_000 }).fetchPage(null, { limit: 10 })).readings).toHaveLength(5);
  });

  it('fails with a FeedError naming the folder when it does not exist', async () => {
    const c = make({ dir: path.join(dir, 'missing') });
    const e = await c.fetchPage(null, { limit: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FeedError);
    expect((e as FeedError).message).toMatch(/cannot list the drop folder .*missing: ENOENT/);
    expect((e as FeedError).retryable).toBe(false);
  });

  it('rejects a malformed cursor', async () => {
    await expect(make().fetchPage('b.csv', { limit: 1 })).rejects.toThrow(/not <file>#<line>/);
  });
});

describe('csv settings', () => {
  const parse = (c: unknown) => () => csvConnector.parseConfig(c);
  it('applies the defaults', () => {
    expect(csvConnector.parseConfig({ dir: '/drop' })).toEqual({
      dir: '/drop',
      processedDir: path.join('/drop', 'processed'),
      pattern: '*.csv',
      delimiter: ',',
      minAgeMs: 0,
    });
    expect(csvConnector.secretKeys).toEqual([]);
  });
  it('names the bad field', () => {
    expect(parse({})).toThrow(/dir is required/);
    expect(parse({ dir: '/drop', delimiter: ';;' })).toThrow(/delimiter must be exactly one character/);
    expect(parse({ dir: '/drop', delimiter: '"' })).toThrow(/delimiter cannot be a double quote/);
    expect(parse({ dir: '/drop', processedDir: '/drop/' })).toThrow(/processedDir must differ from dir/);
    expect(parse({ dir: '/drop', pattern: 'x/*.csv' })).toThrow(/pattern/);
    expect(parse({ dir: '/drop', assumeOffset: 'CST' })).toThrow(/assumeOffset/);
    expect(parse({ dir: '/drop', minAgeMs: -1 })).toThrow(/minAgeMs/);
  });
});

describe('splitCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ,', ['a', 'b', '']],
    ['"a,b","c""d"', ['a,b', 'c"d']],
    ['"",x', ['', 'x']],
    ['5" pipe,x', ['5" pipe', 'x']],
    ['"a"b,c', 'unexpected "b" after a closing quote at column 4'],
    ['"abc', 'unterminated quoted field starting at column 1'],
  ])('%s', (line, expected) => {
    expect(splitCsvLine(line, ',')).toEqual(expected);
  });
  it('splits on tabs', () => {
    expect(splitCsvLine('a\t "b"\t', '\t')).toEqual(['a', 'b', '']);
  });
});
