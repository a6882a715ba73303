import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The file, inside the data directory, that holds its development signing secret. */
export const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The development signing secret of one data directory: read from
 * `<dataDir>/dev-jwt-secret`, or generated (32 random bytes, file mode 0600) on first use.
 * The server and `npm run hub -- token` read the same file, so CLI tokens work against the
 * running development hub, while nobody can mint a token from the public source.
 * Created with a hard link from a temporary file, so two processes starting together
 * agree on one secret and none reads a half-written file.
 */
export function devJwtSecret(dataDir: string): { secret: string; file: string } {
  const file = path.resolve(dataDir, DEV_SECRET_FILE);
  const read = () => fs.readFileSync(file, 'utf8').trim();
  if (fs.existsSync(file)) return { secret: read(), file };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process won the race: use its secret
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return { secret: read(), file };
}
