import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { MAX_BATCH } from '../modules/ingest/ingest.service';
import { PAGE_SIZE } from '../modules/datasource/sync.service';

const dirs: string[] = [];
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-config-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const b64 = (byte: number, n = 32) => Buffer.alloc(n, byte).toString('base64');
const DATA_KEYS = { HUB_DATA_KEYS: `k1=${b64(1)}`, HUB_DATA_HASH_KEY: b64(9) };
/** Production also needs /metrics protected. */
const METRICS = { HUB_METRICS_TOKEN: 'm'.repeat(24) };
/** Production needs a sign-in: an OpenID provider (or development tokens, explicitly). */
const OIDC = { HUB_OIDC_ISSUER: 'https://id.example.gov.cn/realms/water', HUB_OIDC_AUDIENCE: 'water-credit-hub' };

describe('configuration', () => {
  it('defaults to the embedded database with the demo on, loopback, the IDE on and the dev secret flagged', () => {
    const c = loadConfig({ HUB_DATA_DIR: tmpDir() });
    expect(c).toEqual(expect.objectContaining({ databaseUrl: undefined, port: 4000, host: '127.0.0.1', ide: true, demo: true, jwtSecretIsDev: true }));
  });
  it('listens where HOST says; every interface by default only in production', () => {
    expect(loadConfig({ HUB_DATA_DIR: tmpDir(), HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HUB_DATA_DIR: tmpDir(), NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', ...OIDC, ...DATA_KEYS, ...METRICS }).host).toBe('0.0.0.0');
    expect(() => loadConfig({ HUB_DATA_DIR: tmpDir(), HOST: 'http://x/' })).toThrow(/HOST: an address or host name/);
  });
  it('serves the IDE in production only when HUB_IDE says so', () => {
    const prod = { NODE_ENV: 'production', ...OIDC, ...DATA_KEYS, ...METRICS };
    expect(loadConfig(prod).ide).toBe(false);
    expect(loadConfig({ ...prod, HUB_IDE: 'true' }).ide).toBe(true);
    expect(loadConfig({ HUB_DATA_DIR: tmpDir(), HUB_IDE: '0' }).ide).toBe(false);
  });
  it('generates a random development secret per data directory, kept 0600 and reused', () => {
    const a = tmpDir();
    const first = loadConfig({ HUB_DATA_DIR: a });
    expect(first.jwtSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.jwtSecretFile).toBe(path.join(a, 'dev-jwt-secret'));
    expect(fs.statSync(path.join(a, 'dev-jwt-secret')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ HUB_DATA_DIR: a }).jwtSecret).toBe(first.jwtSecret);
    expect(loadConfig({ HUB_DATA_DIR: tmpDir() }).jwtSecret).not.toBe(first.jwtSecret);
    // A configured secret is used as is and touches no file.
    const b = tmpDir();
    expect(loadConfig({ HUB_DATA_DIR: b, HUB_JWT_SECRET: 'k'.repeat(32) })).toEqual(
      expect.objectContaining({ jwtSecret: 'k'.repeat(32), jwtSecretIsDev: false }),
    );
    expect(fs.existsSync(path.join(b, 'dev-jwt-secret'))).toBe(false);
  });
  it('with DATABASE_URL the demo is off unless HUB_DEMO=1', () => {
    const dir = tmpDir();
    expect(loadConfig({ HUB_DATA_DIR: dir, DATABASE_URL: 'postgres://x@h/db' }).demo).toBe(false);
    expect(loadConfig({ HUB_DATA_DIR: dir, DATABASE_URL: 'postgres://x@h/db', HUB_DEMO: '1' }).demo).toBe(true);
  });
  it('lists every bad value with a clear message', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', PORT: '99999', HUB_DEMO: 'maybe' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/DATABASE_URL: must be a postgres:\/\//);
      expect(problems).toMatch(/PORT: must be at most 65535/);
      expect(problems).toMatch(/HUB_DEMO: must be one of/);
    }
  });
  it('BullMQ lock and stalled-check intervals default to 30 s and are settings', () => {
    expect(loadConfig({}).queueTiming).toEqual({ lockMs: 30_000, stalledMs: 30_000, commandTimeoutMs: 3_000 });
    expect(loadConfig({ HUB_QUEUE_LOCK_MS: '4000', HUB_QUEUE_STALLED_MS: '1000', HUB_REDIS_TIMEOUT_MS: '500' }).queueTiming).toEqual({
      lockMs: 4000,
      stalledMs: 1000,
      commandTimeoutMs: 500,
    });
    expect(() => loadConfig({ HUB_QUEUE_LOCK_MS: '10', HUB_QUEUE_STALLED_MS: 'soon' })).toThrow(
      /HUB_QUEUE_LOCK_MS: must be at least 500 ms[\s\S]*HUB_QUEUE_STALLED_MS: must be a number of milliseconds/,
    );
  });
  it('sync pages hold 1,000 readings unless HUB_SYNC_PAGE_SIZE says otherwise, up to what one ingest call stores', () => {
    expect(loadConfig({}).syncPageSize).toBe(PAGE_SIZE);
    expect(loadConfig({ HUB_SYNC_PAGE_SIZE: '20000' }).syncPageSize).toBe(20_000);
    expect(loadConfig({ HUB_SYNC_PAGE_SIZE: String(MAX_BATCH) }).syncPageSize).toBe(MAX_BATCH);
    expect(() => loadConfig({ HUB_SYNC_PAGE_SIZE: String(MAX_BATCH + 1) })).toThrow(/HUB_SYNC_PAGE_SIZE: must be at most 50000/);
    expect(() => loadConfig({ HUB_SYNC_PAGE_SIZE: '0' })).toThrow(/HUB_SYNC_PAGE_SIZE: must be at least 1/);
    expect(() => loadConfig({ HUB_SYNC_PAGE_SIZE: '2.5' })).toThrow(/HUB_SYNC_PAGE_SIZE: must be a whole number of readings/);
    expect(() => loadConfig({ HUB_SYNC_PAGE_SIZE: 'lots' })).toThrow(/HUB_SYNC_PAGE_SIZE: must be a whole number of readings/);
  });
  it('the city credit platform needs its URL and a whsec_ secret together; unset, nothing is pushed', () => {
    const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({}).notify.creditPlatform).toBeUndefined();
    expect(loadConfig({ CREDIT_PLATFORM_URL: 'https://credit.example/push', CREDIT_PLATFORM_SECRET: secret }).notify.creditPlatform).toEqual({
      url: 'https://credit.example/push',
      secret,
    });
    expect(() => loadConfig({ CREDIT_PLATFORM_URL: 'https://credit.example/push' })).toThrow(/set both/);
    expect(() => loadConfig({ CREDIT_PLATFORM_URL: 'ftp://x', CREDIT_PLATFORM_SECRET: 'plain' })).toThrow(
      /CREDIT_PLATFORM_URL: must be an http\(s\):\/\/ URL[\s\S]*CREDIT_PLATFORM_SECRET: must be whsec_/,
    );
  });
  it('requires a sign-in in production: an OpenID provider, or development tokens allowed with a secret of its own', () => {
    const base = { NODE_ENV: 'production', ...DATA_KEYS, ...METRICS };
    expect(() => loadConfig(base)).toThrow(/HUB_OIDC_ISSUER, HUB_OIDC_AUDIENCE: required when NODE_ENV=production/);
    expect(() => loadConfig({ ...base, HUB_ALLOW_DEV_TOKENS: 'true' })).toThrow(/HUB_JWT_SECRET: required when NODE_ENV=production allows development tokens/);
    expect(loadConfig({ ...base, HUB_ALLOW_DEV_TOKENS: 'true', HUB_JWT_SECRET: 's'.repeat(32) }).auth.devTokens).toBe(true);
    // With the provider only, no secret is needed and none is generated into the data directory.
    const oidcOnly = loadConfig({ ...base, ...OIDC, HUB_DATA_DIR: tmpDir() });
    expect(oidcOnly.jwtSecretIsDev).toBe(false);
    expect(oidcOnly.jwtSecretFile).toBeUndefined();
    expect(oidcOnly.auth.devTokens).toBe(false);
  });
});

describe('data keys (encryption at rest)', () => {
  const prod = { NODE_ENV: 'production', ...OIDC, ...METRICS };
  it('refuses to start in production without keys, naming the settings', () => {
    expect(() => loadConfig(prod)).toThrow(/HUB_DATA_KEYS or HUB_DATA_KEY_FILE: required when NODE_ENV=production/);
  });
  it('reads kid=base64 pairs, the active key and the cipher (SM4 by default)', () => {
    const c = loadConfig({ ...prod, HUB_DATA_KEYS: `k1=${b64(1)}, k2=${b64(2)}`, HUB_DATA_KEY_ACTIVE: 'k2', HUB_DATA_HASH_KEY: b64(9) });
    expect(Object.keys(c.dataKeys.keys)).toEqual(['k1', 'k2']);
    expect(c.dataKeys).toEqual(expect.objectContaining({ active: 'k2', cipher: 'sm4-ctr-hmac-sm3', source: 'env' }));
    expect(loadConfig({ ...prod, ...DATA_KEYS, HUB_DATA_CIPHER: 'aes-256-gcm' }).dataKeys.cipher).toBe('aes-256-gcm');
  });
  it('explains each bad key setting', () => {
    expect(() => loadConfig({ ...prod, ...DATA_KEYS, HUB_DATA_CIPHER: 'des' })).toThrow(/HUB_DATA_CIPHER: must be one of sm4-ctr-hmac-sm3, aes-256-gcm/);
    expect(() => loadConfig({ ...prod, HUB_DATA_KEYS: `k1=${b64(1, 16)}`, HUB_DATA_HASH_KEY: b64(9) })).toThrow(/HUB_DATA_KEYS k1: must hold at least 32/);
    expect(() => loadConfig({ ...prod, HUB_DATA_KEYS: `k1=${b64(1)},k2=${b64(2)}`, HUB_DATA_HASH_KEY: b64(9) })).toThrow(/say which one encrypts/);
    expect(() => loadConfig({ ...prod, ...DATA_KEYS, HUB_DATA_KEY_ACTIVE: 'k9' })).toThrow(/active key k9 is not among the keys \(k1\)/);
    expect(() => loadConfig({ ...prod, HUB_DATA_KEYS: `k1=${b64(1)}` })).toThrow(/HUB_DATA_HASH_KEY: required/);
    expect(() => loadConfig({ ...prod, HUB_DATA_KEYS: `k1:${b64(1)}`, HUB_DATA_HASH_KEY: b64(9) })).toThrow(/each entry is kid=base64/);
  });
  it('reads a key file', () => {
    const file = path.join(tmpDir(), 'keys.json');
    fs.writeFileSync(file, JSON.stringify({ active: 'a', keys: { a: b64(3) }, hashKey: b64(4) }));
    expect(loadConfig({ ...prod, HUB_DATA_KEY_FILE: file }).dataKeys).toEqual(expect.objectContaining({ active: 'a', source: 'file', file }));
  });
  it('outside production without keys generates a key file in the data directory, once', () => {
    const dir = tmpDir();
    const a = loadConfig({ HUB_DATA_DIR: dir }).dataKeys;
    const b = loadConfig({ HUB_DATA_DIR: dir }).dataKeys;
    expect(a.source).toBe('dev');
    expect(a.file).toBe(path.join(dir, 'dev-data-keys.json'));
    expect(fs.statSync(a.file!).mode & 0o777).toBe(0o600);
    expect(b.keys).toEqual(a.keys);
    expect(b.hashKey).toEqual(a.hashKey);
  });
});

describe('/metrics protection', () => {
  const prod = { NODE_ENV: 'production', ...OIDC, ...DATA_KEYS };
  it('refuses to start in production with /metrics open, naming both ways out', () => {
    expect(() => loadConfig(prod)).toThrow(/HUB_METRICS_TOKEN or HUB_METRICS_PORT: required when NODE_ENV=production/);
    expect(loadConfig({ ...prod, ...METRICS }).metrics).toEqual({ token: 'm'.repeat(24), port: undefined });
    expect(loadConfig({ ...prod, HUB_METRICS_PORT: '9464' }).metrics).toEqual({ token: undefined, port: 9464 });
    expect(() => loadConfig({ ...prod, HUB_METRICS_TOKEN: 'short' })).toThrow(/HUB_METRICS_TOKEN: must be at least 24/);
  });
  it('leaves it open outside production', () => {
    expect(loadConfig({ HUB_DATA_DIR: tmpDir() }).metrics).toEqual({ token: undefined, port: undefined });
  });
});

describe('sign-in', () => {
  it('sign-in: dev tokens outside production or with HUB_ALLOW_DEV_TOKENS; an OpenID provider with its audience and at most 60 s skew', () => {
    const prod = { NODE_ENV: 'production', HUB_JWT_SECRET: 's'.repeat(32), ...OIDC, ...DATA_KEYS, ...METRICS };
    expect(loadConfig({ HUB_JWT_SECRET: 'k'.repeat(32) }).auth).toEqual({ devTokens: true, oidc: undefined, revocationRefreshMs: 5000 });
    expect(loadConfig(prod).auth.devTokens).toBe(false);
    expect(loadConfig({ ...prod, HUB_ALLOW_DEV_TOKENS: 'true' }).auth.devTokens).toBe(true);
    const oidc = loadConfig({ ...prod, HUB_OIDC_ISSUER: 'https://id.example.gov.cn/realms/water', HUB_OIDC_AUDIENCE: 'water-credit-hub' }).auth.oidc;
    expect(oidc).toEqual({
      issuer: 'https://id.example.gov.cn/realms/water',
      audience: 'water-credit-hub',
      claims: { role: 'role', regions: 'regions', agency: 'agency', creditCode: 'creditCode' },
      clockSkewSeconds: 30,
      jwksCooldownMs: 30_000,
    });
    expect(() => loadConfig({ HUB_JWT_SECRET: 'k'.repeat(32), HUB_OIDC_ISSUER: 'https://id.example.gov.cn' })).toThrow(/HUB_OIDC_AUDIENCE: set both/);
    expect(() =>
      loadConfig({ HUB_JWT_SECRET: 'k'.repeat(32), HUB_OIDC_ISSUER: 'https://id.example', HUB_OIDC_AUDIENCE: 'a', HUB_OIDC_CLOCK_SKEW_S: '300' }),
    ).toThrow(/HUB_OIDC_CLOCK_SKEW_S: must be at most 60 s/);
    expect(() => loadConfig({ HUB_JWT_SECRET: 'k'.repeat(32), HUB_OIDC_ROLE_CLAIM: 'a..b' })).toThrow(/HUB_OIDC_ROLE_CLAIM/);
  });
});
