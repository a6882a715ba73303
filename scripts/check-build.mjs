// `npm run hub` runs the compiled CLI without rebuilding (a build takes 10–25 s, the CLI
// starts in under 2): this checks first that dist/ exists and is newer than the sources.
// Usage: node scripts/check-build.mjs [compiled file, default dist/src/cli/hub.js]
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.resolve(root, process.argv[2] ?? 'dist/src/cli/hub.js');
const rel = (f) => path.relative(root, f);

if (!existsSync(compiled)) {
  console.error(`error: ${rel(compiled)} is missing: run \`npm run build\` once (npm start builds too), then \`npm run hub -- …\` runs the compiled CLI`);
  process.exit(1);
}
const built = statSync(compiled).mtimeMs;

/** The newest TypeScript source (or tsconfig.json) under the compiled folders. */
function newest(dir, best = { file: '', mtime: 0 }) {
  if (!existsSync(dir)) return best;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') newest(f, best);
    } else if (e.name.endsWith('.ts')) {
      const mtime = statSync(f).mtimeMs;
      if (mtime > best.mtime) Object.assign(best, { file: f, mtime });
    }
  }
  return best;
}
const latest = ['src', 'connectors', 'jobs'].reduce((best, d) => newest(path.join(root, d), best), { file: '', mtime: 0 });
const tsconfig = path.join(root, 'tsconfig.json');
if (existsSync(tsconfig) && statSync(tsconfig).mtimeMs > latest.mtime) Object.assign(latest, { file: tsconfig, mtime: statSync(tsconfig).mtimeMs });
if (latest.mtime > built) {
  console.error(`error: the build in dist/ is older than ${rel(latest.file)}: run \`npm run build\` (then \`npm run hub -- …\` runs the new code)`);
  process.exit(1);
}
