import { GraphQLError } from 'graphql';
import { Writable } from 'node:stream';
import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { REDACT_PATHS, safeError } from './logger';

describe('safeError', () => {
  it("keeps a database error's codes and drops its message, detail, statement and parameters", () => {
    const driver = Object.assign(new Error('duplicate key value violates unique constraint "enterprise_id_number_key"'), {
      code: '23505',
      severity: 'ERROR',
      constraint: 'enterprise_id_number_key',
      table: 'enterprise',
      detail: 'Key (legal_representative_id_number)=(130821198807154321) already exists.',
    });
    const err = new QueryFailedError('INSERT INTO enterprise VALUES ($1, $2)', ['欧阳建国', '130821198807154321'], driver);
    const out = safeError(err);
    expect(out).toMatchObject({ type: 'QueryFailedError', code: '23505', constraint: 'enterprise_id_number_key', table: 'enterprise' });
    expect(JSON.stringify(out)).not.toMatch(/欧阳建国|130821198807154321|INSERT|duplicate/);
  });

  it("keeps the message of the hub's own errors", () => {
    expect(safeError(new Error('relay stopped'))).toMatchObject({ type: 'Error', message: 'relay stopped' });
  });

  it('keeps a string the hub logged as err (pino applies the serializer to strings too)', () => {
    expect(safeError('Redis unreachable')).toEqual({ type: 'string', message: 'Redis unreachable' });
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    pino({ serializers: { err: safeError } }, sink).warn({ err: 'publish failed: ECONNREFUSED' }, 'relay');
    expect(JSON.parse(lines[0]).err).toEqual({ type: 'string', message: 'publish failed: ECONNREFUSED' });
  });

  it('drops the outer message and stack of a GraphQLError around a database error', () => {
    const driver = Object.assign(new Error('null value in column "legal_representative" violates not-null constraint: 欧阳建国'), {
      code: '23502',
      severity: 'ERROR',
      table: 'enterprise',
    });
    const wrapped = new GraphQLError(driver.message, { originalError: driver });
    const out = safeError(wrapped);
    expect(out).toMatchObject({ type: 'GraphQLError', originalError: { code: '23502', table: 'enterprise' } });
    expect(JSON.stringify(out)).not.toMatch(/欧阳建国|null value/);
  });
});

describe('redaction', () => {
  it('censors personal fields, identities and secrets wherever the hub logs an object holding them', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const plain = {
      legalRepresentative: '欧阳建国',
      tipsterName: '李四',
      tipsterOrganisation: '某报社',
      tipsterContact: '13900001111',
      secrets: { token: 'vendor-x' },
      previousSecret: 'whsec_old',
    };
    pino({ redact: { paths: [...REDACT_PATHS], censor: '[redacted]' } }, sink).info({ input: plain }, 'received');
    expect(lines[0]).not.toMatch(/欧阳建国|李四|某报社|13900001111|vendor-x|whsec_old/);
    expect(JSON.parse(lines[0]).input.tipsterContact).toBe('[redacted]');
  });
});
