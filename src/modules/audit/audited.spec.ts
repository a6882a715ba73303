import 'reflect-metadata';
import { graphql } from 'graphql';
import { Arg, Ctx, Mutation, Query, Resolver, buildSchema } from 'type-graphql';
import type { Queryable } from '../../platform/sql';
import type { HubContext } from '../context';
import { HubError } from '../../platform/errors';
import { PUBLIC_PRINCIPAL } from '../../platform/auth/principal';
import { Audited, auditEntry, auditMutations, originOf, resultFacts } from './audited';

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

  it('names the facts a declaration draws from the result', () => {
    expect(resultFacts({ target: 'webhook_delivery', id: 'id', detail: ['result.webhookId', 'from', ['n', 'result.length']] })).toEqual(['webhookId', 'n']);
  });
});

/**
 * The audit log as the wrapper sees it, in memory: an INSERT inside a "transaction" lands only when it commits; the
 * existence check can be made to fail. The SQL itself is tested against Postgres in test/e2e/audit.test.ts.
 */
class FakeLog {
  entries: { id: string; outcome: string; detail: Record<string, unknown> }[] = [];
  existsFails = false;
  db(pending?: FakeLog['entries']): Queryable {
    return {
      query: (sql: string, params: unknown[]) => {
        // The chain head (locked, then moved on): the hash chain itself is tested against Postgres in test/e2e/audit-chain.test.ts.
        if (sql.includes('FROM audit_chain_head')) return Promise.resolve([{ seq: '0', hash: '0'.repeat(64), at: '2024-01-01T00:00:00.000000Z' }]);
        if (sql.startsWith('UPDATE audit_chain_head')) return Promise.resolve([]);
        if (sql.startsWith('INSERT')) {
          const detail = JSON.parse(params[6] as string) as Record<string, unknown>;
          const row = { id: String(this.entries.length + (pending?.length ?? 0) + 1), outcome: params[5] as string, detail };
          (pending ?? this.entries).push(row);
          return Promise.resolve([{ id: row.id }]);
        }
        if (this.existsFails) return Promise.reject(new Error('connection lost'));
        return Promise.resolve(this.entries.filter((e) => e.id === params[0]));
      },
    };
  }
}

describe('@Audited when the mutation fails', () => {
  let log: FakeLog;
  let commit: boolean;
  @Resolver()
  class Changes {
    @Query(() => Boolean) ping(): boolean {
      return true;
    }
    @Audited({ target: 'thing', id: 'code', detail: [['thingId', 'result.id']] })
    @Mutation(() => Boolean)
    async change(@Ctx() ctx: HubContext, @Arg('code') _c: string): Promise<boolean> {
      const pending: FakeLog['entries'] = [];
      await ctx.beforeCommit?.({ ...ctx, db: log.db(pending) } as unknown as HubContext, { id: 't1' }); // the last step inside the transaction
      if (commit) log.entries.push(...pending);
      throw new HubError('CONFLICT', commit ? 'the job could not be queued' : 'the commit failed');
    }
  }
  const run = async () => {
    const schema = auditMutations(await buildSchema({ resolvers: [Changes], validate: false }));
    const ctx = { principal: PUBLIC_PRINCIPAL, db: log.db(), personalDataRead: new Set() } as unknown as HubContext;
    return graphql({ schema, source: 'mutation { change(code: "T") }', contextValue: ctx });
  };
  beforeEach(() => (log = new FakeLog()));

  it('after its transaction committed: the OK entry stands and a follow-up names the error code and the entry', async () => {
    commit = true;
    expect((await run()).errors?.[0].extensions.code).toBe('CONFLICT');
    expect(log.entries).toEqual([
      { id: '1', outcome: 'OK', detail: { thingId: 't1' } },
      { id: '2', outcome: 'CONFLICT', detail: { afterCommit: true, entryId: '1' } },
    ]);
  });

  it('when its transaction rolled back: one failure entry', async () => {
    commit = false;
    await run();
    expect(log.entries).toEqual([{ id: '1', outcome: 'CONFLICT', detail: {} }]);
  });

  it('when whether it committed cannot be checked: a follow-up that says so, not a failure as if nothing committed', async () => {
    commit = true;
    log.existsFails = true;
    await run();
    expect(log.entries.map((e) => [e.outcome, e.detail])).toEqual([
      ['OK', { thingId: 't1' }],
      ['CONFLICT', { afterCommit: 'unknown', entryId: '1' }],
    ]);
  });
});
