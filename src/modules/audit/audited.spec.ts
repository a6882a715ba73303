import 'reflect-metadata';
import { Arg, Mutation, Query, Resolver, buildSchema } from 'type-graphql';
import { Audited, auditEntry, auditMutations, originOf } from './audited';

@Resolver()
class Declared {
  @Query(() => Boolean) ping(): boolean {
    return true;
  }
  @Audited({ target: 'thing', id: 'code' })
  @Mutation(() => Boolean)
  touch(@Arg('code') _c: string): boolean {
    return true;
  }
}

@Resolver()
class Undeclared {
  @Mutation(() => Boolean) sneak(): boolean {
    return true;
  }
}

describe('@Audited', () => {
  it('refuses to serve a schema with a mutation that declares no audit', async () => {
    const schema = await buildSchema({ resolvers: [Declared, Undeclared], validate: false });
    expect(() => auditMutations(schema)).toThrow(/without an @Audited declaration: sneak/);
    const ok = await buildSchema({ resolvers: [Declared], validate: false });
    expect(() => auditMutations(ok)).not.toThrow();
  });

  it('refuses a declaration whose path names no argument', async () => {
    @Resolver()
    class Typo {
      @Audited({ target: 'thing', id: 'cod' })
      @Mutation(() => Boolean)
      typo(@Arg('code') _c: string): boolean {
        return true;
      }
    }
    const schema = await buildSchema({ resolvers: [Declared, Typo], validate: false });
    expect(() => auditMutations(schema)).toThrow(/name no argument: typo: cod/);
  });

  it('builds the entry from the declaration, leaving out what refused input lacks', () => {
    const decl = {
      target: 'enterprise',
      id: 'input.creditCode',
      detail: ['input.level', 'input.gone', ['recordId', 'result.id'], ['origin', 'input.url', originOf]] as const,
    };
    const args = { input: { creditCode: 'X', level: 'GENERAL', gone: null, url: 'https://h.example.org/in?token=abc' } };
    expect(auditEntry('recordDishonesty', decl, args, 'OK', { id: 'r1' })).toEqual({
      action: 'recordDishonesty',
      outcome: 'OK',
      targetType: 'enterprise',
      targetId: 'X',
      detail: { level: 'GENERAL', recordId: 'r1', origin: 'https://h.example.org' },
    });
    expect(auditEntry('recordDishonesty', decl, { input: 'not an object' }, 'GRAPHQL_VALIDATION_FAILED')).toEqual({
      action: 'recordDishonesty',
      outcome: 'GRAPHQL_VALIDATION_FAILED',
      targetType: 'enterprise',
      targetId: null,
      detail: {},
    });
  });

  it('keeps only the origin of a URL', () => {
    expect(originOf('https://hooks.example.org/in?token=abc')).toBe('https://hooks.example.org');
    expect(originOf('not a url')).toBeNull();
  });
});
