import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { hubSchema, printHubSchema } from '../../src/schema';

const root = path.resolve(__dirname, '../..');

describe('served schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema:emit` after changing the API)', async () => {
    const committed = fs.readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8');
    expect(await printHubSchema()).toBe(committed);
  });

  it('has no breaking change against the public contract (schema/contract.graphql)', async () => {
    const contract = buildSchema(fs.readFileSync(path.join(root, 'schema/contract.graphql'), 'utf8'));
    const breaking = findBreakingChanges(contract, await hubSchema());
    expect(breaking.map((b) => `${b.type}: ${b.description}`)).toEqual([]);
  });

  it('npm run contract:check (scripts/contract-check.mjs) passes on the served schema and names a breaking change', () => {
    const check = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'scripts/contract-check.mjs'), ...args], { cwd: root, encoding: 'utf8' });
    const served = check(); // the compiled hub's schema (npm test builds first)
    expect(served.stdout).toMatch(/contract check: 0 breaking change\(s\)/);
    expect(served.status).toBe(0);
    // The same check on the contract with a field taken away from Query.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    try {
      const broken = path.join(dir, 'served.graphql');
      const contract = fs.readFileSync(path.join(root, 'schema/contract.graphql'), 'utf8');
      fs.writeFileSync(broken, contract.replace(/^ {2}syncRun\(id: ID!\): SyncRun\n/m, ''));
      const r = check(broken);
      expect(r.stdout).toMatch(/FIELD_REMOVED: Query.syncRun was removed/);
      expect(r.status).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the contract checked is the public core of the API, and the check catches a removed field', async () => {
    // The in-repo contract is the whole reference: nothing outside the repository is read.
    const contract = buildSchema(fs.readFileSync(path.join(root, 'schema/contract.graphql'), 'utf8'));
    const rootFields = (t: ReturnType<typeof contract.getQueryType>) => Object.keys(t?.getFields() ?? {});
    expect(rootFields(contract.getQueryType())).toEqual(expect.arrayContaining(['enterprise', 'enterprises', 'syncRun']));
    expect(rootFields(contract.getMutationType())).toEqual(expect.arrayContaining(['recordDishonesty', 'confirmCandidate']));
    expect(rootFields(contract.getSubscriptionType())).toEqual(expect.arrayContaining(['ratingChanged']));
    // The served schema without one contract field must be reported: the check above is not vacuous.
    const served = printSchema(await hubSchema());
    const crippled = served.replace(/^(type Enterprise \{[\s\S]*?)\n {2}creditCode: String!\n/m, '$1\n');
    expect(crippled).not.toBe(served);
    expect(findBreakingChanges(contract, buildSchema(crippled)).map((b) => b.description)).toEqual(['Enterprise.creditCode was removed.']);
  });
});
