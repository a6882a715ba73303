import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
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

  it('schema/contract.graphql is the shared contract, unchanged', () => {
    const shared = path.join(root, '../shared/contract/contract.graphql');
    if (!fs.existsSync(shared)) return; // a checkout without ../shared beside it
    expect(fs.readFileSync(path.join(root, 'schema/contract.graphql'), 'utf8')).toBe(fs.readFileSync(shared, 'utf8'));
  });
});
