import { toDataSourceParent } from './datasource.type';

describe('DataSource parent', () => {
  it('drops the secrets of a row read with them, and keeps every shown field', () => {
    const row = {
      id: 's1',
      name: 'feed',
      connector: 'http-json',
      config: { baseUrl: 'https://vendor.example/api' },
      everyMs: 60_000,
      enabled: true,
      cursor: 'c9',
      createdAt: new Date(0),
      secrets: { token: 'Bearer s3cret' },
    };
    const parent = toDataSourceParent(row);
    expect(parent).not.toHaveProperty('secrets');
    expect(JSON.stringify(parent)).not.toContain('s3cret');
    const { secrets: _, ...shown } = row;
    expect(parent).toEqual(shown);
  });
});
