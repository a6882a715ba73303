import { withCheckChar } from '../../src/modules/enterprise/credit-code.rules';
import { findByCreditCode, findByLegalRepresentativeIdNumber } from '../../src/modules/enterprise/enterprise.repository';
import { findSource } from '../../src/modules/datasource/datasource.repository';
import { countReportsByContact } from '../../src/modules/report/report.repository';
import { CTX, ENCRYPTED_COLUMNS, contextOf } from '../../src/modules/keys/encrypted-columns';
import { dataKeyUsage, encryptPlainValues, rotateDataKeys } from '../../src/modules/keys/key-rotation';
import { FieldCipher } from '../../src/platform/crypto/field-cipher';
import { fieldCipher, unseal, useDataKeys } from '../../src/platform/crypto/keyring';
import { startTestHub, TestHub } from '../support/hub';

/**
 * Issue 11 item 3 on Postgres: personal data and secrets are encrypted in the database (the raw
 * columns hold no plain text), the API answers them as before (masked for who may not see them),
 * and a key rotation re-encrypts every row while the answers stay the same, before, during and after,
 * also once the old key is gone.
 */
const key = (byte: number) => Buffer.alloc(32, byte);
const K1 = key(0x31);
const K2 = key(0x32);
const HASH = key(0x48);
const cipherWith = (keys: Record<string, Buffer>, active: string, cipher: 'sm4-ctr-hmac-sm3' | 'aes-256-gcm' = 'sm4-ctr-hmac-sm3') =>
  new FieldCipher({ keys, active, cipher, hashKey: HASH });

const REP = '欧阳建国';
const ID_NUMBER = '130821199001011234';
const PHONE = '13812341234';
const REPORTER = '举报人' + '李'.repeat(97); // 100 characters: the longest the service takes, far longer once encrypted
const REPORTER_CONTACT = '13900001111';
const TIPSTER = '王记者';
const TIPSTER_ORG = '承德日报社';
const TIPSTER_CONTACT = 'reporter@chengde-daily.example';
const SOURCE_TOKEN = 'vendor-token-0f3a9c2e7b';
const PLAINS = [REP, ID_NUMBER, PHONE, REPORTER, REPORTER_CONTACT, TIPSTER, TIPSTER_ORG, TIPSTER_CONTACT, SOURCE_TOKEN];

let t: TestHub;
let admin: string;
let county: string;
let webhookSecret: string;
let firstWebhookSecret: string;
const CC = withCheckChar('91130821EN0000001');
const LEGACY_CC = withCheckChar('91130821EN0000002');

beforeAll(async () => {
  t = await startTestHub('encrypt', { env: { HUB_DATA_KEYS: `k1=${K1.toString('base64')}`, HUB_DATA_HASH_KEY: HASH.toString('base64') } });
  admin = t.token('PROVINCE_AUTHORITY', { regions: ['130000'] });
  county = t.token('COUNTY_AUTHORITY', { regions: ['130821'] });
  const must = async (q: string, v: Record<string, unknown>, token?: string, headers?: Record<string, string>) => {
    const r = await t.gql(q, v, token, headers);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data;
  };
  await must(
    `mutation($i: EnterpriseInput!) { registerEnterprise(input: $i) { id } }`,
    {
      i: {
        creditCode: CC,
        name: '承德县加密测试企业',
        regionCode: '130821',
        legalRepresentative: REP,
        legalRepresentativeIdNumber: ID_NUMBER,
        contactPhone: PHONE,
      },
    },
    admin,
  );
  const w = await must(
    `mutation($i: WebhookInput!) { registerWebhook(input: $i) { id secret } }`,
    { i: { url: 'http://127.0.0.1:9/hook', events: ['rating.changed'] } },
    admin,
  );
  firstWebhookSecret = w.registerWebhook.secret;
  const r = await must(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: w.registerWebhook.id }, admin);
  webhookSecret = r.rotateWebhookSecret.secret;
  await must(
    `mutation($i: DataSourceInput!) { createDataSource(input: $i) { id } }`,
    { i: { name: 'vendor', connector: 'http-json', config: { baseUrl: 'http://127.0.0.1:9', token: SOURCE_TOKEN }, enabled: false } },
    t.token('SYSTEM_ADMIN'), // data sources are the system administrator's (三员分立)
  );
  await must(
    `mutation($i: FalseInformationReportInput!) { reportFalseInformation(input: $i) { receiptNo } }`,
    {
      i: { creditCode: CC, content: '该企业的失信信息与事实不符', reporterName: REPORTER, reporterContact: REPORTER_CONTACT },
    },
    undefined,
    { 'idempotency-key': 'report-1' },
  ); // its kept answer (idempotency_key.response) is encrypted too
  await must(`mutation($i: TipInput!) { submitTip(input: $i) { receiptNo } }`, {
    i: {
      creditCode: CC,
      content: '该企业夜间偷采地下水',
      sourceKind: 'NEWS_MEDIA',
      tipsterName: TIPSTER,
      tipsterOrganisation: TIPSTER_ORG,
      tipsterContact: TIPSTER_CONTACT,
    },
  });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const raw = async (sql: string, params: unknown[] = []) => t.db.manager.query(sql, params);

/** Every encrypted column's non-null values. */
async function storedValues(): Promise<{ column: string; value: string }[]> {
  const out: { column: string; value: string }[] = [];
  for (const c of ENCRYPTED_COLUMNS)
    for (const r of await raw(`SELECT ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL`)) out.push({ column: contextOf(c), value: r.v });
  return out;
}

/** What callers see: the enterprise (clear for ADMIN, masked for the public), the identities (county), the secrets (the jobs' reads). */
async function answers() {
  const E = `query($c: String!) { enterprise(creditCode: $c) { legalRepresentative contactPhone legalRepresentativeIdNumber } }`;
  const clear = await t.gql(E, { c: CC }, admin);
  const masked = await t.gql(E, { c: CC });
  const legacy = await t.gql(E, { c: LEGACY_CC }, admin);
  const reports = await t.gql(`{ reports(first: 10) { edges { node { reporter { name contact } } } } }`, {}, county);
  const tips = await t.gql(`{ tips(first: 10) { edges { node { tipster { name organisation contact } } } } }`, {}, county);
  for (const r of [clear, masked, legacy, reports, tips]) expect(r.errors).toBeUndefined();
  const [w] = await raw(`SELECT secret, previous_secret FROM webhook`);
  return {
    clear: clear.data.enterprise,
    masked: masked.data.enterprise,
    legacy: legacy.data.enterprise,
    reporters: reports.data.reports.edges.map((e: any) => e.node.reporter),
    tipsters: tips.data.tips.edges.map((e: any) => e.node.tipster),
    sourceSecrets: (await findSource(t.db.manager, 'vendor'))!.secrets,
    webhook: { secret: unseal(CTX.webhookSecret, w.secret), previous: unseal(CTX.webhookPreviousSecret, w.previous_secret) },
  };
}

const EXPECTED = {
  clear: { legalRepresentative: REP, contactPhone: PHONE, legalRepresentativeIdNumber: ID_NUMBER },
  masked: { legalRepresentative: '欧***', contactPhone: '138****1234', legalRepresentativeIdNumber: '130821********1234' },
  reporters: [{ name: REPORTER, contact: REPORTER_CONTACT }],
  tipsters: [{ name: TIPSTER, organisation: TIPSTER_ORG, contact: TIPSTER_CONTACT }],
  sourceSecrets: { token: SOURCE_TOKEN },
};

describe('encryption at rest', () => {
  it('stores no plain personal data or secret: every encrypted column holds enc:v1:k1 SM4 values', async () => {
    const values = await storedValues();
    expect(values.map((v) => v.column).sort()).toEqual(ENCRYPTED_COLUMNS.map(contextOf).sort());
    for (const v of values) expect(v.value).toMatch(/^enc:v1:k1:sm4ctr-hs3:[A-Za-z0-9_-]+$/);
    // Whole rows, as text: no plain value anywhere in them.
    for (const table of ['enterprise', 'webhook', 'data_source', 'false_info_report', 'tip', 'idempotency_key']) {
      const dump = JSON.stringify(await raw(`SELECT row_to_json(x)::text AS j FROM ${table} x`));
      for (const p of [...PLAINS, webhookSecret, firstWebhookSecret]) expect(dump).not.toContain(p);
    }
  });

  it('answers as before: clear to who may see, masked to the public, identities to the authority in scope', async () => {
    const a = await answers();
    expect(a).toEqual(expect.objectContaining(EXPECTED));
    expect(a.webhook).toEqual({ secret: webhookSecret, previous: firstWebhookSecret });
  });

  it('finds equal values through the keyed hash, however they are typed, without decrypting', async () => {
    const [e] = await raw(`SELECT legal_representative_id_number_hmac AS h FROM enterprise WHERE credit_code = $1`, [CC]);
    expect(e.h).toBe(fieldCipher().hash(ID_NUMBER, CTX.legalRepresentativeIdNumber));
    expect((await findByLegalRepresentativeIdNumber(t.db.manager, ` ${ID_NUMBER} `)).map((x) => x.creditCode)).toEqual([CC]);
    expect(await countReportsByContact(t.db.manager, '139 0000 1111', new Date(0))).toBe(1);
    expect(await countReportsByContact(t.db.manager, '13900002222', new Date(0))).toBe(0);
  });

  it('refuses a value moved to another column instead of answering it (rolled back)', async () => {
    await t.db
      .transaction(async (m) => {
        await m.query(`UPDATE enterprise SET contact_phone = legal_representative WHERE credit_code = $1`, [CC]);
        const row = (await findByCreditCode(m, CC))!;
        expect(row.legalRepresentative).toBe(REP);
        expect(() => row.contactPhone).toThrow(/fails authentication \(tampered, or not of column enterprise.contact_phone\)/);
        throw new Error('rollback');
      })
      .catch((e) => expect((e as Error).message).toBe('rollback'));
  });

  it('rotates k1 → k2 in batches while answering the same, before, during and after; then works without k1', async () => {
    // A row written before encryption at rest: read as is, encrypted by the boot step.
    await raw(
      `INSERT INTO enterprise (credit_code, name, region_code, legal_representative, contact_phone) VALUES ($1, '旧数据企业', '130821', '赵六', '13700001234')`,
      [LEGACY_CC],
    );
    const before = await answers();
    expect(before.legacy).toEqual({ legalRepresentative: '赵六', contactPhone: '13700001234', legalRepresentativeIdNumber: null });
    expect((await dataKeyUsage(t.db))['enterprise.legal_representative']).toEqual({ k1: 1, plain: 1 });
    const boot = await encryptPlainValues(t.db);
    expect(boot.columns['enterprise.legal_representative']).toBe(1);
    expect(boot.columns['enterprise.contact_phone']).toBe(1);
    expect(await answers()).toEqual(before);

    // The new key deployed as active beside the old one; every process reads both.
    useDataKeys(cipherWith({ k1: K1, k2: K2 }, 'k2', 'aes-256-gcm'));
    // A run interrupted after its first batch resumes where it stopped.
    let batches = 0;
    await expect(
      rotateDataKeys(t.db, {
        batchSize: 1,
        onProgress: () => {
          if (++batches === 1) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect((await dataKeyUsage(t.db))['enterprise.legal_representative']).toEqual({ k1: 1, k2: 1 });

    const during: Promise<unknown>[] = [];
    const progress: string[] = [];
    const summary = await rotateDataKeys(t.db, {
      batchSize: 1,
      onProgress: (p) => {
        progress.push(`${p.column} ${p.done}/${p.total}`);
        during.push(answers()); // the API keeps answering mid-rotation
      },
    });
    for (const a of await Promise.all(during)) expect(a).toEqual(before);
    expect(progress).toContain('enterprise.legal_representative 1/1');
    expect(summary).toEqual(expect.objectContaining({ active: 'k2', cipher: 'aes-256-gcm', kids: ['k1', 'k2'] }));
    expect(summary.total).toBe(13); // 14 values, one re-encrypted before the interruption
    for (const v of await storedValues()) expect(v.value).toMatch(/^enc:v1:k2:a256gcm:/);
    expect(await answers()).toEqual(before);

    // Audited: one entry per run, counts and key ids, no value.
    const audits = await raw(`SELECT actor, actor_role AS role, target_id AS kid, detail FROM audit_log WHERE action = 'rotateDataKeys' ORDER BY id`);
    expect(audits).toHaveLength(1); // the interrupted run wrote none
    expect(audits[0]).toEqual(expect.objectContaining({ actor: 'system:keys', role: 'SECURITY_ADMIN', kid: 'k2' }));
    expect(audits[0].detail).toEqual(expect.objectContaining({ active: 'k2', kids: ['k1', 'k2'], total: 13 }));
    expect(JSON.stringify(audits)).not.toContain(REP);

    // Nothing left: a second run changes nothing.
    expect((await rotateDataKeys(t.db)).total).toBe(0);

    // The old key removed: everything still reads, and new writes use k2.
    useDataKeys(cipherWith({ k2: K2 }, 'k2', 'aes-256-gcm'));
    expect(await answers()).toEqual(before);
    const later = withCheckChar('91130821EN0000003');
    await t.gql(
      `mutation($c: String!) { registerEnterprise(input: { creditCode: $c, name: "轮换后企业", regionCode: "130821", legalRepresentative: "孙七" }) { id } }`,
      { c: later },
      admin,
    );
    const [row] = await raw(`SELECT legal_representative AS v FROM enterprise WHERE credit_code = $1`, [later]);
    expect(row.v).toMatch(/^enc:v1:k2:a256gcm:/);
    // A value under a key no longer configured is a clear error, never garbage.
    useDataKeys(cipherWith({ k3: key(0x33) }, 'k3'));
    const r = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { legalRepresentative } }`, { c: CC }, admin);
    expect(r.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain(REP);
    // Only the fields that need the key fail: decryption happens where a field is read.
    const named = await t.gql(`query($c: String!) { enterprise(creditCode: $c) { name } }`, { c: CC }, admin);
    expect(named).toEqual(expect.objectContaining({ data: { enterprise: { name: '承德县加密测试企业' } } }));
    expect(named.errors).toBeUndefined();
    useDataKeys(cipherWith({ k2: K2 }, 'k2', 'aes-256-gcm'));
  }, 60_000);
});
