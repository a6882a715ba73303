import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Loads a package of the benchmark's own install (`bench/package.json`: the peers and the
 * load generator, kept out of the product's dependencies). `npm run bench` installs them.
 * From `bench/` under ts-node/jest or `dist/bench/` when compiled.
 */
const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
const load = createRequire(path.join(ROOT, 'bench', 'package.json'));

export function benchRequire<T = any>(id: string): T {
  try {
    return load(id) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (e as Error).message.includes(`'${id}'`))
      throw new Error(`${id} is not installed: run \`npm run bench\` (it installs bench/package.json's packages into bench/node_modules)`, { cause: e });
    throw e;
  }
}
