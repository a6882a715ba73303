import { randomUUID } from 'node:crypto';
import {
  GraphQLField,
  GraphQLInputType,
  GraphQLObjectType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { Role } from '../../src/platform/auth/principal';
import { hubSchema } from '../../src/schema';
import { TestHub, TokenOptions, startTestHub } from '../support/hub';
import { inPeriod } from '../support/policy-time';
import { Ledger } from './ledger';

/**
 * Issue 11 item 8, security tier: the jurisdiction matrix. Every Query and Mutation field that names an enterprise by its
 * credit code or region (an argument, or a field of its input or filter) is called, by every role whose jurisdiction does not cover that
 * enterprise (registered in 130822 兴隆县), with the other arguments filled in by type. A query answers nothing about it
 * (null, an empty list or a refusal); a mutation is refused and writes nothing (no OK entry joins the audit trail). Operations
 * open to anyone by design (the public's reports and tips, Art. 8 and 26) are left out.
 */
const ledger = new Ledger('jurisdiction matrix');
const F = withCheckChar('91130822JM0000001');
const PUBLIC_BY_DESIGN = new Set(['reportFalseInformation', 'submitTip']);
const REFUSED = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);

/** Callers none of whose jurisdiction covers 130822. */
const OUTSIDERS: [label: string, role: Role | 'PUBLIC', opts: TokenOptions][] = [
  ['anonymous', 'PUBLIC', {}],
  ['county 130821', 'COUNTY_AUTHORITY', { regions: ['130821'] }],
  ['city 130900', 'CITY_AUTHORITY', { regions: ['130900'] }],
  ['province 110000', 'PROVINCE_AUTHORITY', { regions: ['110000'] }],
  ['credit authority 130821', 'CREDIT_AUTHORITY', { regions: ['130821'] }],
  ['partner agency 130821', 'PARTNER_AGENCY', { agency: '行政审批局', regions: ['130821'] }],
  ['another enterprise', 'ENTERPRISE', { creditCode: withCheckChar('91130821JM0000002') }],
  ['system administrator', 'SYSTEM_ADMIN', {}],
  ['security administrator', 'SECURITY_ADMIN', {}],
  ['audit administrator', 'AUDIT_ADMIN', {}],
];

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub('sec_matrix');
  const county = t.token('COUNTY_AUTHORITY', { regions: ['130822'] });
  const e = await t.gql(`mutation { registerEnterprise(input: { creditCode: "${F}", name: "兴隆某企业", regionCode: "130822" }) { id } }`, {}, county);
  expect(e.errors).toBeUndefined();
  const m = await t.gql(`mutation { registerMeter(input: { creditCode: "${F}", meterCode: "JM-1", online: true, level: 1 }) { id } }`, {}, county);
  expect(m.errors).toBeUndefined();
});
afterAll(async () => {
  ledger.print();
  await t?.stop();
});

/** A value for an argument of type `type` named `name`: the enterprise's code where one is asked for, else a plausible one. */
function valueFor(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, name);
  if (isListType(type)) return [valueFor(type.ofType, name)];
  if (isInputObjectType(type)) {
    const o: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type) || POINTERS.includes(f.name)) o[f.name] = valueFor(f.type, f.name);
    return o;
  }
  if (isEnumType(type)) return type.getValues()[0].value;
  if (name === 'creditCode') return F;
  if (name === 'regionCode') return '130822';
  if (isScalarType(type))
    switch (type.name) {
      case 'ID':
        return randomUUID();
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'DateTime':
        return inPeriod(10);
      case 'JSON':
        return {};
      default:
        return 'x';
    }
  return null;
}

/** Arguments (or fields of an input argument) that point at the enterprise or its region. */
const POINTERS = ['creditCode', 'regionCode'];
function namesEnterprise(f: GraphQLField<unknown, unknown>): boolean {
  return f.args.some((a) => {
    const n = getNamedType(a.type);
    return POINTERS.includes(a.name) || (isInputObjectType(n) && POINTERS.some((p) => p in n.getFields()));
  });
}

function operation(kind: 'query' | 'mutation', f: GraphQLField<unknown, unknown>) {
  const used = f.args.filter((a) => {
    const n = getNamedType(a.type);
    return isNonNullType(a.type) || POINTERS.includes(a.name) || (isInputObjectType(n) && POINTERS.some((p) => p in n.getFields()));
  });
  const vars = used.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = used.map((a) => `${a.name}: $${a.name}`).join(', ');
  const out = getNamedType(f.type);
  // A connection: its edges are what it gives away.
  const selection = isLeafType(out) ? '' : 'edges' in (out as GraphQLObjectType).getFields() ? ' { edges { __typename } }' : ' { __typename }';
  const variables = Object.fromEntries(used.map((a) => [a.name, valueFor(a.type, a.name)]));
  return { query: `${kind}${vars ? `(${vars})` : ''} { ${f.name}${args ? `(${args})` : ''}${selection} }`, variables };
}

/** What an answer gave away: null or an empty list is nothing. */
function given(r: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: unknown } }[] }, field: string): string {
  const code = r.errors?.[0]?.extensions?.code;
  if (typeof code === 'string') return REFUSED.has(code) ? 'refused' : code;
  let v = r.data?.[field];
  if (v && typeof v === 'object' && 'edges' in v) v = (v as { edges: unknown[] }).edges;
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0) ? 'nothing' : 'data';
}

const okEntries = async () => (await t.db.manager.query(`SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'OK' AND action <> 'signIn'`))[0].n as number;

it('answers nothing about an enterprise outside the caller’s jurisdiction, to every role, for every query naming one', async () => {
  const schema = await hubSchema();
  const fields = Object.values((schema.getQueryType() as GraphQLObjectType).getFields()).filter(namesEnterprise);
  expect(fields.length).toBeGreaterThan(1);
  for (const f of fields) {
    // An enterprise's public entry (its name) is public by design: ask for its internal data, its meters.
    const op =
      f.name === 'enterprise'
        ? { query: `query($creditCode: String!) { enterprise(creditCode: $creditCode) { meters { meterCode } } }`, variables: { creditCode: F } }
        : f.name === 'enterprises'
          ? { query: `query($r: String) { enterprises(regionCode: $r) { edges { node { meters { meterCode } } } } }`, variables: { r: '130822' } }
          : operation('query', f);
    for (const [label, role, opts] of OUTSIDERS) {
      const r = await t.gql(op.query, op.variables, role === 'PUBLIC' ? undefined : t.token(role, opts));
      let got = given(r, f.name);
      if (got === 'data' && (f.name === 'enterprise' || f.name === 'enterprises')) got = JSON.stringify(r.data).includes('JM-1') ? 'data' : 'nothing';
      ledger.record(`query ${f.name} as ${label}`, 'refused or nothing', got, got === 'refused' || got === 'nothing');
    }
  }
  expect(ledger.failures()).toEqual([]);
});

it('refuses, to every role, every mutation naming an enterprise outside its jurisdiction, and writes nothing', async () => {
  const schema = await hubSchema();
  const fields = Object.values(schema.getMutationType()!.getFields()).filter((f) => namesEnterprise(f) && !PUBLIC_BY_DESIGN.has(f.name));
  expect(fields.length).toBeGreaterThan(5);
  const before = await okEntries();
  for (const f of fields) {
    const op = operation('mutation', f);
    for (const [label, role, opts] of OUTSIDERS) {
      const r = await t.gql(op.query, op.variables, role === 'PUBLIC' ? undefined : t.token(role, opts));
      const got = given(r, f.name);
      ledger.record(`mutation ${f.name} as ${label}`, 'refused', got === 'nothing' ? 'OK (null)' : got, got === 'refused');
    }
  }
  ledger.record('OK entries on the audit trail after all those attempts', '0 new', `${(await okEntries()) - before} new`);
  expect(ledger.failures()).toEqual([]);
});
