import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config';

describe('configuration', () => {
  it('defaults to the embedded database with the demo on and the dev secret flagged', () => {
    const c = loadConfig({});
    expect(c).toEqual(expect.objectContaining({ databaseUrl: undefined, port: 4000, demo: true, jwtSecret: DEV_JWT_SECRET, jwtSecretIsDev: true }));
  });
  it('with DATABASE_URL the demo is off unless HUB_DEMO=1', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x@h/db' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@h/db', HUB_DEMO: '1' }).demo).toBe(true);
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
  it('requires HUB_JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/HUB_JWT_SECRET: required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', HUB_JWT_SECRET: 's'.repeat(32) }).jwtSecretIsDev).toBe(false);
  });
});
