import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded database (PGlite) has no server and no lock of its own: two processes that
 * open the same data directory both write to it, and one's changes are lost. So every
 * process that opens one holds `<dataDir>/hub.lock` (created atomically, exclusive), which
 * names its pid and, for a serving hub, its URL: the CLI talks to that hub instead.
 */
export interface DataDirHolder {
  pid: number;
  /** Base URL of the serving hub (`http://127.0.0.1:4000`); absent while it starts or for a CLI command. */
  url?: string;
  /** What holds it: `hub` (npm start) or the CLI command. */
  role: string;
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `the data directory ${dataDir} is in use by ${holder.role === 'hub' ? 'a running hub' : `\`hub ${holder.role}\``} (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}); ` +
        'the embedded database can be opened by one process at a time: stop that process first, or set DATABASE_URL to a PostgreSQL server',
    );
  }
}

export function lockFile(dataDir: string): string {
  return path.resolve(dataDir, 'hub.lock');
}

/** Data directories this process holds (a stale lock may carry our pid: pids repeat, in containers especially). */
const heldHere = new Set<string>();

function alive(pid: number, dataDir: string): boolean {
  if (pid === process.pid) return heldHere.has(path.resolve(dataDir));
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The live process holding the data directory, or undefined (no lock, or a stale one left by a killed process). */
export function dataDirHolder(dataDir: string): DataDirHolder | undefined {
  let holder: DataDirHolder;
  try {
    holder = JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')) as DataDirHolder;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A lock being written this instant reads as empty or partial JSON: treat it as held.
    return { pid: -1, role: 'another process', since: new Date().toISOString() };
  }
  return Number.isInteger(holder.pid) && holder.pid > 0 && alive(holder.pid, dataDir) ? holder : undefined;
}

export class DataDirLock {
  private released = false;
  private constructor(
    readonly dataDir: string,
    private holder: DataDirHolder,
  ) {}

  /**
   * Takes the lock or throws DataDirLockedError naming the holder. A lock whose process is
   * gone (killed, crashed) is stale and taken over.
   */
  static acquire(dataDir: string, role: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = lockFile(dataDir);
    const holder: DataDirHolder = { pid: process.pid, role, since: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(holder), { flag: 'wx' });
        return new DataDirLock(dataDir, holder).held();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = dataDirHolder(dataDir);
      if (current || attempt > 0) throw new DataDirLockedError(dataDir, current ?? { pid: -1, role: 'another process', since: holder.since });
      // Stale: remove it and try once more; if another process wins that race, it holds the
      // lock and this one refuses. (Two processes taking over the same stale lock within the
      // microseconds between one's read and its removal could both succeed; a crash and two
      // simultaneous restarts are needed for that.)
      fs.rmSync(file, { force: true });
    }
  }

  private held(): this {
    heldHere.add(path.resolve(this.dataDir));
    process.once('exit', this.onExit);
    return this;
  }

  private readonly onExit = () => this.release();

  /** Records the URL the hub serves on, for CLI commands to talk to it. */
  announce(url: string): void {
    if (this.released) return;
    this.holder = { ...this.holder, url };
    const tmp = `${lockFile(this.dataDir)}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(this.holder));
    fs.renameSync(tmp, lockFile(this.dataDir)); // atomic: readers see the old or the new content
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(path.resolve(this.dataDir));
    process.off('exit', this.onExit);
    try {
      const current = JSON.parse(fs.readFileSync(lockFile(this.dataDir), 'utf8')) as DataDirHolder;
      if (current.pid === process.pid) fs.rmSync(lockFile(this.dataDir), { force: true });
    } catch {
      // already gone
    }
  }
}
