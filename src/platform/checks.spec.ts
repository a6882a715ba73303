import { GraphQLError } from 'graphql';
import { isUuid, notInFuture, requireFound } from './checks';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return [(e as GraphQLError).extensions.code, (e as Error).message];
  }
  return null;
};

describe('shared checks', () => {
  it('knows a UUID from a name or a near miss', () => {
    expect(isUuid('0b6f4f4e-2c1a-4c8e-9d3b-5a7e1f2d3c4b')).toBe(true);
    expect(isUuid('0b6f4f4e2c1a-4c8e-9d3b-5a7e1f2d3c4b-')).toBe(false);
    expect(isUuid('demo-feed')).toBe(false);
  });

  it('refuses a time beyond the clock slack, naming the field', () => {
    const now = Date.now();
    expect(notInFuture(new Date(now + 60_000), 'asOf', now)).toEqual(new Date(now + 60_000));
    expect(codeOf(() => notInFuture(new Date(now + 11 * 60_000), 'asOf', now))).toEqual(['BAD_USER_INPUT', 'asOf may not lie in the future']);
  });

  it('turns a missing row into NOT_FOUND', () => {
    expect(requireFound({ id: 'x' }, 'webhook', 'x')).toEqual({ id: 'x' });
    expect(codeOf(() => requireFound(undefined, 'credit record', 'r1'))).toEqual(['NOT_FOUND', 'No credit record r1']);
    expect(codeOf(() => requireFound(null, 'webhook', 'w1'))).toEqual(['NOT_FOUND', 'No webhook w1']);
  });
});
