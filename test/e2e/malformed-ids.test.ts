import { GraphQLField, GraphQLObjectType, getNamedType, isLeafType, isNonNullType } from 'graphql';
import { hubSchema } from '../../src/schema';
import { TestHub, startTestHub } from '../support/hub';

/**
 * Issue 11 item 7 (security review): malformed ids answered INTERNAL_SERVER_ERROR. Every Query and
 * Mutation field whose required arguments are all IDs is called with ids that are no ids: each answer is a clear refusal (NOT_FOUND, BAD_USER_INPUT, FORBIDDEN), never
 * an internal error.
 */
let t: TestHub;
/** The business duties and the configuration duties (三员分立): each reaches its own fields. */
let tokens: string[];
beforeAll(async () => {
  t = await startTestHub('malformed-ids');
  tokens = [t.token('PROVINCE_AUTHORITY', { regions: ['130000'] }), t.token('SYSTEM_ADMIN')];
});
afterAll(() => t?.stop());

const BAD_IDS = ['not-a-uuid', '12345678-1234-1234-1234-12345678901Z', "'; DROP TABLE enterprise; --", 'x'.repeat(5000), '42'];

function callable(f: GraphQLField<unknown, unknown>): boolean {
  const ids = f.args.filter((a) => getNamedType(a.type).name === 'ID');
  const required = f.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  return ids.length > 0 && required.every((a) => getNamedType(a.type).name === 'ID');
}

function operation(kind: 'query' | 'mutation', f: GraphQLField<unknown, unknown>): string {
  const ids = f.args.filter((a) => getNamedType(a.type).name === 'ID');
  const vars = ids.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = ids.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(f.type)) ? '' : ' { __typename }';
  return `${kind}(${vars}) { ${f.name}(${args})${selection} }`;
}

it('answers every malformed id with a clear code, never INTERNAL_SERVER_ERROR', async () => {
  const schema = await hubSchema();
  const roots: ['query' | 'mutation', GraphQLObjectType][] = [
    ['query', schema.getQueryType()!],
    ['mutation', schema.getMutationType()!],
  ];
  const internal: string[] = [];
  let calls = 0;
  for (const [kind, type] of roots)
    for (const f of Object.values(type.getFields()).filter(callable)) {
      for (const bad of BAD_IDS)
        for (const token of tokens) {
          const vars = Object.fromEntries(
            f.args.filter((a) => getNamedType(a.type).name === 'ID').map((a) => [a.name, String(a.type).startsWith('[') ? [bad] : bad]),
          );
          const r = await t.gql(operation(kind, f), vars, token);
          calls++;
          const codes = (r.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
          if (codes.includes('INTERNAL_SERVER_ERROR')) internal.push(`${kind} ${f.name}(${JSON.stringify(bad).slice(0, 40)})`);
        }
    }
  expect(calls).toBeGreaterThan(50);
  expect(internal).toEqual([]);
});
