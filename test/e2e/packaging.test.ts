import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How the CLI is run: the package's bin entry, and `npm run hub`'s check that the build is current. */
const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the hub CLI', () => {
  it('is the package bin `hub`, a node script that prints its help', () => {
    const bin = path.join(root, pkg.bin.hub);
    expect(fs.readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hub /);
    expect(r.stdout).toMatch(/\bsync \[options\] <source>/);
  });

  it('`npm run hub` runs the compiled CLI without rebuilding, after checking the build', () => {
    expect(pkg.scripts.hub).toBe(`node scripts/check-build.mjs && node ${pkg.bin.hub}`);
    const check = (file: string) => spawnSync(process.execPath, [path.join(root, 'scripts/check-build.mjs'), file], { encoding: 'utf8' });
    expect(check(pkg.bin.hub).status).toBe(0); // npm test built it
    const missing = check('dist/nothing-here.js');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/dist\/nothing-here.js is missing: run `npm run build`/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-build-'));
    try {
      const old = path.join(dir, 'hub.js');
      fs.writeFileSync(old, '');
      fs.utimesSync(old, new Date(0), new Date(0)); // built before any source was written
      const stale = check(old);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/the build in dist\/ is older than \S+: run `npm run build`/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the product install carries no benchmark peer (they are in bench/package.json)', () => {
    for (const peer of ['postgraphile', 'autocannon', '@types/autocannon']) expect(pkg.devDependencies).not.toHaveProperty(peer);
    const bench = JSON.parse(fs.readFileSync(path.join(root, 'bench/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(bench.dependencies)).toEqual(expect.arrayContaining(['postgraphile', 'autocannon']));
  });
});
