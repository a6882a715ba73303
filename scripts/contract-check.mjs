// `npm run contract:check`: every breaking change of the served schema against the public
// contract (schema/contract.graphql), by graphql's findBreakingChanges. The served schema is
// the one the compiled hub builds (`npm run contract:check` builds first), or an SDL file.
// Usage: node scripts/contract-check.mjs [served.graphql] [contract.graphql]
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const [servedFile, contractFile = path.join(root, 'schema/contract.graphql')] = process.argv.slice(2);

let graphql;
try {
  graphql = require('graphql');
} catch {
  console.error('contract check: install the project first (npm ci): graphql not found');
  process.exit(2);
}
for (const f of [contractFile, servedFile].filter(Boolean)) {
  if (!existsSync(f)) {
    console.error(`contract check: ${f} not found`);
    process.exit(2);
  }
}

let served;
if (servedFile) {
  served = graphql.buildSchema(readFileSync(servedFile, 'utf8'));
} else {
  const compiled = path.join(root, 'dist/src/schema.js');
  if (!existsSync(compiled)) {
    console.error('contract check: dist/src/schema.js is missing: run `npm run build` (npm run contract:check does)');
    process.exit(2);
  }
  served = await require(compiled).hubSchema();
}
const contract = graphql.buildSchema(readFileSync(contractFile, 'utf8'));
const breaking = graphql.findBreakingChanges(contract, served);
for (const c of breaking) console.log(`  ${c.type}: ${c.description}`);
console.log(`contract check: ${breaking.length} breaking change(s) against the public contract (${path.relative(root, contractFile) || contractFile})`);
process.exit(breaking.length ? 1 : 0);
