/**
 * `csv`: a drop folder of CSV files (issue #3, item 3). Each file is read once, in name order,
 * and then moved aside; bad rows are reported with their line numbers.
 *
 * ## File format
 *
 * UTF-8 (a leading BOM is ignored), LF or CRLF line ends, a header row naming the columns
 * `meterCode`, `readAt`, `cumulativeVolume` and optionally `flowRate` — in any order, names
 * case-insensitive, other columns ignored. Fields may be double-quoted (RFC 4180: `"a,b"`,
 * `"say ""hi"""`); a quoted field cannot span lines. Blank lines are skipped. Values:
 * `readAt` ISO 8601 with a UTC offset (or `assumeOffset`), `cumulativeVolume` m³ ≥ 0,
 * `flowRate` m³/h or empty.
 *
 * ## Cursor
 *
 * - `null`: nothing in progress.
 * - `<file>#<line>`: lines 1…`line` of `<file>` are covered (stored by the sync); the file is
 *   still in the drop folder. The next page resumes at line `line + 1` — also after a crash.
 * - `<file>#done`: `<file>` was finished and moved aside; nothing is in progress.
 *
 * ## Contract with the sync loop (store the page, then advance the cursor, then ask again)
 *
 * 1. A page holds records (good and rejected rows, at most `limit` together) of ONE file.
 *    Its `nextCursor` is `<file>#<line of its last record>`.
 * 2. A file is moved to `processedDir` only by the call that finds nothing beyond the cursor
 *    in it — i.e. when the sync asks for the page AFTER the file's last page, which it does only
 *    once it has stored that page. That same call goes on to the next file (or answers an empty,
 *    `done` page with cursor `<file>#done`). A crash anywhere therefore loses nothing and, with
 *    the cursor stored, repeats nothing.
 * 3. Every page that carries records is `done: false`, so one sync run reads every file and
 *    moves every finished one; `done: true` comes with an empty page and means "no file left".
 * 4. Files in the drop folder are work to do, whatever their name: the one named in the
 *    cursor is finished first, then the others go in name order (byte order), so a file dropped
 *    late with an early name is still read. A file re-dropped under a name already processed is
 *    read again (it is a new file); its moved predecessor is kept under a suffixed name.
 * 5. A file whose header lacks a required column yields one page with a single rejected record
 *    (position 1, the reason) and is then moved to `processedDir/rejected/` the same way.
 *
 * Writers should create files under another name (e.g. `x.csv.part`) and rename them when
 * complete, or set `minAgeMs`, so a half-written file is never read. Dot-files are ignored.
 */
import { constants as fsc, Dirent, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Connector, ConnectorDefinition, FeedError, FetchOptions, Page, RawReading, RejectedRecord, parseSettings } from '../connector';
// Shared with http-json; belongs in connectors/ once someone owning that folder moves it.
import { excerpt, parseOffset, toRawReading } from '../http-json/reading-fields';

/** Settings of a `csv` data source. */
export interface CsvConfig {
  /** The drop folder. */
  dir: string;
  /** Where finished files go. Default `<dir>/processed`; bad-header files go to its `rejected/`. */
  processedDir: string;
  /** File-name glob (`*` and `?`, case-insensitive) of files to read. Default `*.csv`. */
  pattern: string;
  /** Field separator, one character. Default `,`. */
  delimiter: string;
  /** UTC offset for `readAt` values written without one, e.g. `+08:00`. Default: reject them. */
  assumeOffset?: string;
  /** Ignore files modified less than this many ms ago (still being written). Default 0. */
  minAgeMs: number;
}

const REQUIRED = ['meterCode', 'readAt', 'cumulativeVolume'] as const;
const COLUMNS = [...REQUIRED, 'flowRate'] as const;
type Column = (typeof COLUMNS)[number];

const schema = z
  .object({
    dir: z.string({ error: 'is required: the drop folder to read CSV files from' }).trim().min(1, 'is required: the drop folder to read CSV files from'),
    processedDir: z.string({ error: 'must be a folder path' }).trim().min(1, 'must not be empty').optional(),
    pattern: z
      .string({ error: 'must be a file-name pattern such as *.csv' })
      .trim()
      .min(1, 'must not be empty')
      .refine((p) => !/[\\/]/.test(p), 'must be a file-name pattern without folders, such as *.csv')
      .default('*.csv'),
    delimiter: z
      .string({ error: 'must be one character' })
      .refine((d) => [...d].length === 1, 'must be exactly one character, e.g. "," or ";" or a tab')
      .refine((d) => !['"', '\r', '\n'].includes(d), 'cannot be a double quote or a line break')
      .default(','),
    assumeOffset: z
      .string({ error: 'must be a UTC offset such as +08:00' })
      .refine((o) => parseOffset(o) !== null, 'must be a UTC offset such as Z, +08:00 or -05:00')
      .optional(),
    minAgeMs: z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be whole milliseconds').min(0, 'must be at least 0').default(0),
  })
  .transform((c, ctx) => {
    const processedDir = c.processedDir ?? path.join(c.dir, 'processed');
    if (path.resolve(processedDir) === path.resolve(c.dir)) {
      ctx.addIssue({ code: 'custom', path: ['processedDir'], message: 'must differ from dir' });
      return z.NEVER;
    }
    return { ...c, processedDir };
  });

/** A cursor taken apart; `line` null means the file is finished and moved. */
interface CursorParts {
  file: string;
  line: number | null;
}

export function parseCsvCursor(cursor: string | null): CursorParts | null {
  if (cursor === null || cursor === '') return null;
  const hash = cursor.lastIndexOf('#');
  const file = cursor.slice(0, hash);
  const tail = cursor.slice(hash + 1);
  if (hash <= 0 || !(tail === 'done' || /^\d+$/.test(tail))) {
    throw new FeedError(`csv cursor "${excerpt(cursor, 80)}" is not <file>#<line> or <file>#done`, false);
  }
  return { file, line: tail === 'done' ? null : Number(tail) };
}

/** `*.csv` → /^.*\.csv$/i */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Splits one line into fields (RFC 4180 quoting, no embedded line breaks), or says why not. */
export function splitCsvLine(line: string, delimiter: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    // Leading blanks before a quote are tolerated.
    let j = i;
    while (j < line.length && (line[j] === ' ' || line[j] === '\t') && line[j] !== delimiter) j++;
    if (line[j] === '"') {
      let value = '';
      i = j + 1;
      for (;;) {
        if (i >= line.length) return `unterminated quoted field starting at column ${j + 1}`;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      while (i < line.length && line[i] !== delimiter && (line[i] === ' ' || line[i] === '\t')) i++;
      if (i < line.length && line[i] !== delimiter) return `unexpected ${JSON.stringify(line[i])} after a closing quote at column ${i + 1}`;
      fields.push(value);
    } else {
      let end = line.indexOf(delimiter, i);
      if (end < 0) end = line.length;
      fields.push(line.slice(i, end).trim()); // a quote inside an unquoted field is kept as is
      i = end;
    }
    if (i >= line.length) return fields;
    i += delimiter.length; // skip the delimiter; a trailing one yields a last empty field
  }
}

/** Header analysis: where each known column is, or why the file cannot be read. */
type Header = { ok: true; index: Record<Column, number | undefined>; width: number } | { ok: false; reason: string };

function readHeader(line: string | undefined, delimiter: string): Header {
  if (line === undefined || line.trim() === '')
    return { ok: false, reason: 'bad header: the first line is empty (expected meterCode,readAt,cumulativeVolume[,flowRate])' };
  const names = splitCsvLine(line, delimiter);
  if (typeof names === 'string') return { ok: false, reason: `bad header: ${names}` };
  const index = {} as Record<Column, number | undefined>;
  for (const [i, raw] of names.entries()) {
    const col = COLUMNS.find((c) => c.toLowerCase() === raw.trim().toLowerCase());
    if (!col) continue;
    if (index[col] !== undefined) return { ok: false, reason: `bad header: column ${col} appears twice` };
    index[col] = i;
  }
  const missing = REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length) {
    const shown = excerpt(line, 80);
    const hint = names.length === 1 ? ` (is the delimiter ${JSON.stringify(delimiter)} right?)` : '';
    return {
      ok: false,
      reason: `bad header: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in "${shown}"${hint}; expected meterCode,readAt,cumulativeVolume[,flowRate]`,
    };
  }
  return { ok: true, index, width: names.length };
}

/** One file's content, kept between pages of the same sync so a big file is read once. */
interface LoadedFile {
  name: string;
  mtimeMs: number;
  size: number;
  /** Lines without their line ends; `lines[0]` is line 1. */
  lines: string[];
  header: Header;
}

class CsvConnector implements Connector {
  readonly type = 'csv';
  private cache: LoadedFile | null = null;
  private readonly match: RegExp;

  constructor(private readonly config: CsvConfig) {
    this.match = globToRegExp(config.pattern);
  }

  async fetchPage(cursor: string | null, opts: FetchOptions): Promise<Page> {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new FeedError(`limit must be a positive whole number, got ${opts.limit}`, false);
    const at = parseCsvCursor(cursor);
    const files = await this.listFiles();
    let finished: string | null = null;

    // The file in progress comes first, if it is still there; then the others in name order.
    let current: { name: string; after: number } | null = at && at.line !== null && files.includes(at.file) ? { name: at.file, after: at.line } : null;
    let queue = files.filter((f) => f !== current?.name);

    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (!current) {
        const next = queue.shift();
        if (next === undefined) {
          const nextCursor = finished !== null ? `${finished}#done` : cursor;
          return { readings: [], rejected: [], nextCursor, done: true };
        }
        current = { name: next, after: 0 };
      }
      const file = await this.load(current.name);
      if (file) {
        const page = this.pageOf(file, current.after, opts.limit);
        if (page) return page;
        await this.moveAside(file);
        finished = file.name;
      }
      // Finished (or vanished meanwhile): on to the next file.
      queue = queue.filter((f) => f !== current!.name);
      current = null;
    }
  }

  close(): Promise<void> {
    this.cache = null;
    return Promise.resolve();
  }

  /** Records of `file` after line `after`, or null when there are none left. */
  private pageOf(file: LoadedFile, after: number, limit: number): Page | null {
    const { header } = file;
    if (!header.ok) {
      if (after >= 1) return null;
      return {
        readings: [],
        rejected: [{ position: 1, reason: `${file.name}: ${header.reason}; the whole file was skipped` }],
        nextCursor: `${file.name}#${Math.max(file.lines.length, 1)}`,
        done: false,
      };
    }
    const readings: RawReading[] = [];
    const rejected: RejectedRecord[] = [];
    let last = 0;
    for (let n = Math.max(after, 1) + 1; n <= file.lines.length && readings.length + rejected.length < limit; n++) {
      const line = file.lines[n - 1];
      if (line.trim() === '') continue;
      last = n;
      const problem = this.row(line, header);
      if (typeof problem === 'string') rejected.push({ position: n, reason: `${file.name} line ${n}: ${problem}` });
      else readings.push(problem);
    }
    if (last === 0) return null;
    return { readings, rejected, nextCursor: `${file.name}#${last}`, done: false };
  }

  private row(line: string, header: Extract<Header, { ok: true }>): RawReading | string {
    if (line.includes('\uFFFD')) return 'not valid UTF-8 (save the file as UTF-8)';
    const fields = splitCsvLine(line, this.config.delimiter);
    if (typeof fields === 'string') return fields;
    if (fields.length < header.width || (fields.length > header.width && fields.slice(header.width).some((f) => f !== ''))) {
      return `${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.width}`;
    }
    const get = (c: Column) => (header.index[c] === undefined ? undefined : fields[header.index[c]]);
    const mapped = toRawReading(
      { meterCode: get('meterCode'), readAt: get('readAt'), cumulativeVolume: get('cumulativeVolume'), flowRate: get('flowRate') },
      { assumeOffset: this.config.assumeOffset },
    );
    return mapped.ok ? mapped.reading : mapped.reason;
  }

  /** Candidate files in the drop folder, in byte order of their names. */
  private async listFiles(): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(this.config.dir, { withFileTypes: true });
    } catch (e) {
      throw this.ioError(e, `cannot list the drop folder ${this.config.dir}`);
    }
    const names = entries.filter((e) => e.isFile() && !e.name.startsWith('.') && this.match.test(e.name)).map((e) => e.name);
    const { minAgeMs } = this.config;
    let ready = names;
    if (minAgeMs > 0) {
      const now = Date.now();
      const mtimes = await Promise.all(
        names.map((n) =>
          fs.stat(path.join(this.config.dir, n)).then(
            (s) => s.mtimeMs,
            () => null,
          ),
        ),
      );
      ready = names.filter((_, i) => mtimes[i] !== null && now - mtimes[i] >= minAgeMs);
    }
    return ready.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The file's lines (from the cache when unchanged), or null when it vanished. */
  private async load(name: string): Promise<LoadedFile | null> {
    const full = path.join(this.config.dir, name);
    let stat;
    try {
      stat = await fs.stat(full);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.ioError(e, `cannot read ${full}`);
    }
    const c = this.cache;
    if (c && c.name === name && c.mtimeMs === stat.mtimeMs && c.size === stat.size) return c;
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.ioError(e, `cannot read ${full}`);
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split(/\r\n|\n|\r/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the final line end
    this.cache = { name, mtimeMs: stat.mtimeMs, size: stat.size, lines, header: readHeader(lines[0], this.config.delimiter) };
    return this.cache;
  }

  /** Moves a finished file to processedDir (or its rejected/), never overwriting an earlier one. */
  private async moveAside(file: LoadedFile): Promise<void> {
    const targetDir = file.header.ok ? this.config.processedDir : path.join(this.config.processedDir, 'rejected');
    const from = path.join(this.config.dir, file.name);
    try {
      await fs.mkdir(targetDir, { recursive: true });
      let to = path.join(targetDir, file.name);
      for (let k = 1; await exists(to); k++) {
        const ext = path.extname(file.name);
        to = path.join(targetDir, `${path.basename(file.name, ext)}.${k}${ext}`);
      }
      try {
        await fs.rename(from, to);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        await fs.copyFile(from, to, fsc.COPYFILE_EXCL);
        await fs.unlink(from);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !(await exists(from))) return; // moved by someone else
      throw this.ioError(e, `cannot move ${from} to ${targetDir}`);
    } finally {
      if (this.cache?.name === file.name) this.cache = null;
    }
  }

  private ioError(e: unknown, what: string): FeedError {
    const code = (e as NodeJS.ErrnoException).code;
    // A missing or forbidden folder is a settings problem; anything else may pass (busy share, full disk).
    const retryable = !(code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM');
    return new FeedError(`${what}: ${code ?? (e as Error).message}${retryable ? '' : ' (check the dir/processedDir settings and permissions)'}`, retryable);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

export const csvConnector: ConnectorDefinition<CsvConfig> = {
  type: 'csv',
  secretKeys: [],
  parseConfig: (config: unknown): CsvConfig => parseSettings('csv', schema, config, ' '),
  create(config: CsvConfig): Connector {
    return new CsvConnector(config);
  },
};
