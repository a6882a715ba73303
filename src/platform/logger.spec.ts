import { QueryFailedError } from 'typeorm';
import { safeError } from './logger';

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
});
