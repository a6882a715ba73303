import { newSecret, secretProblem, sign, verify, webhookHeaders } from './standard-webhooks';

describe('Standard Webhooks signatures', () => {
  // The example of the Standard Webhooks / Svix documentation.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = '{"test": 2432232314}';

  it('matches the published example', () => {
    expect(sign(secret, id, 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies what it signs, with every secret of a rotation, and refuses tampering, other secrets and stale timestamps', () => {
    const other = newSecret();
    const now = 1_800_000_000_000;
    const headers = webhookHeaders([secret, other], id, body, now);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => verify(secret, headers, body, 300, now)).not.toThrow();
    expect(() => verify(other, headers, body, 300, now)).not.toThrow();
    expect(() => verify(newSecret(), headers, body, 300, now)).toThrow(/no webhook-signature matches/);
    expect(() => verify(secret, headers, body.replace('2432', '9999'), 300, now)).toThrow(/no webhook-signature matches/);
    expect(() => verify(secret, headers, body, 300, now + 301_000)).toThrow(/too far from now/);
    expect(() => verify(secret, { ...headers, 'webhook-id': undefined }, body, 300, now)).toThrow(/missing/);
  });

  it('generates and checks secrets', () => {
    expect(secretProblem(newSecret())).toBeNull();
    expect(secretProblem('hunter2')).toMatch(/whsec_/);
    expect(secretProblem('whsec_' + Buffer.alloc(8).toString('base64'))).toMatch(/24 to 64 bytes/);
    expect(secretProblem('whsec_not base64!')).toMatch(/base64/);
  });
});
