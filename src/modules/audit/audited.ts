import { GraphQLError, GraphQLField, GraphQLSchema, defaultFieldResolver } from 'graphql';
import { Extensions } from 'type-graphql';
import type { BeforeCommit } from '../../platform/context';
import type { HubContext } from '../context';
import { unauthenticated } from '../../platform/errors';
import { logger } from '../../platform/logger';
import { AuditEntry, appendAudit, auditEntryExists } from './audit.repository';

/**
 * Where a fact of the entry comes from: a dotted path into the mutation's arguments
 * (`input.creditCode`, `readings.length`), or into what it produced (`result.id`: the value its
 * transaction returned, i.e. the row it wrote, or the resolver's value when it opened none;
 * absent for a refused attempt).
 */
export type AuditPath = string;

/** A fact kept with the entry: a path (stored under its last segment), or a name, a path and a mapping. */
export type AuditFact = AuditPath | readonly [name: string, path: AuditPath, map?: (value: unknown) => unknown];

/** What a mutation's audit entry names. Declared beside the resolver with `@Audited(...)`. */
export interface AuditDeclaration {
  /** The kind of thing the mutation acts on: `enterprise`, `credit_record`, `webhook`, … */
  target: string;
  /** Path to the target's id; absent when the mutation has no single target. */
  id?: AuditPath;
  /** Codes, ids, levels, dates and reasons to keep: never names, phones, ID numbers, secrets, URLs with paths. */
  detail?: readonly AuditFact[];
}

const AUDIT = 'audit';

/**
 * Declares a mutation's audit entry. Every executed mutation field, however the operation spells
 * it (aliases, fragments), appends one entry: action = the field's name, outcome OK or the error
 * code that refused it. A successful change writes its entry inside its own transaction, just
 * before commit; a refused or rolled-back attempt writes it afterwards, outside.
 *
 * @example
 *   @Audited({ target: 'enterprise', id: 'input.creditCode', detail: [['recordId', 'result.id'], 'input.level'] })
 */
export function Audited(declaration: AuditDeclaration): MethodDecorator {
  return Extensions({ [AUDIT]: declaration });
}

/** The declaration of a mutation field, if any. */
export function auditDeclaration(schema: GraphQLSchema, field: string): AuditDeclaration | undefined {
  return schema.getMutationType()?.getFields()[field]?.extensions?.[AUDIT] as AuditDeclaration | undefined;
}

/** Requests in which at least one mutation field ran (the plugin audits the others, refused before execution). */
const executed = new WeakSet<object>();
export const mutationRan = (ctx: HubContext): boolean => executed.has(ctx);

/** Arguments as GraphQL coerced them, or as written when validation refused the operation. */
export type AuditArgs = Readonly<Record<string, unknown>>;

function read(path: AuditPath, args: AuditArgs, result: unknown): unknown {
  const [root, ...rest] = path.split('.');
  let value: unknown = root === 'result' ? result : args[root];
  for (const key of rest) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The facts a declaration draws from the mutation's result (`result.…`), by the name they are stored under: an OK entry of a change has each. */
export function resultFacts(decl: AuditDeclaration): string[] {
  const facts = (decl.detail ?? []).map((f) => (typeof f === 'string' ? [f.split('.').pop()!, f] : [f[0], f[1]]));
  return facts.filter(([, path]) => path.split('.')[0] === 'result').map(([name]) => name);
}

/** The entry a declaration describes; facts missing from malformed or refused input are left out. */
export function auditEntry(action: string, decl: AuditDeclaration | undefined, args: AuditArgs, outcome: string, result?: unknown): AuditEntry {
  const id = decl?.id ? read(decl.id, args, result) : undefined;
  const detail: Record<string, unknown> = {};
  for (const fact of decl?.detail ?? []) {
    const [name, path, map] = typeof fact === 'string' ? [fact.split('.').pop()!, fact, undefined] : fact;
    const raw = read(path, args, result);
    const value = raw === undefined || raw === null || !map ? raw : map(raw);
    if (value !== undefined && value !== null) detail[name] = value;
  }
  const targetId = typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : null;
  return { action, outcome, targetType: decl?.target ?? null, targetId, detail };
}

/** Paths must start at an argument of the field or at `result`: a typo fails the boot, not the audit trail. */
function checkPaths(field: GraphQLField<unknown, unknown>, decl: AuditDeclaration): string[] {
  const roots = new Set(['result', ...field.args.map((a) => a.name)]);
  const paths = [...(decl.id ? [decl.id] : []), ...(decl.detail ?? []).map((f) => (typeof f === 'string' ? f : f[1]))];
  return paths.filter((p) => !roots.has(p.split('.')[0])).map((p) => `${field.name}: ${p}`);
}

/** The code a caller saw for an error. */
export function outcomeOf(e: unknown): string {
  const code = e instanceof GraphQLError ? e.extensions?.code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * Wraps the resolver of every mutation field with its declared audit (outside type-graphql's
 * middlewares, so refusals of `@Authorized` are on record too). A mutation field without a
 * declaration fails the boot: none can slip in unaudited.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutations = schema.getMutationType()?.getFields() ?? {};
  const undeclared = Object.keys(mutations).filter((name) => !auditDeclaration(schema, name));
  if (undeclared.length) throw new Error(`Mutations without an @Audited declaration: ${undeclared.join(', ')}`);
  const unknownPaths = Object.values(mutations).flatMap((f) => checkPaths(f, f.extensions[AUDIT] as AuditDeclaration));
  if (unknownPaths.length) throw new Error(`@Audited paths that name no argument: ${unknownPaths.join(', ')}`);
  for (const field of Object.values(mutations)) {
    const decl = field.extensions[AUDIT] as AuditDeclaration;
    const resolve = field.resolve ?? defaultFieldResolver;
    if ((resolve as { audited?: true }).audited) continue;
    const audited: typeof resolve = async (root, args: AuditArgs, context, info) => {
      const ctx = context as HubContext;
      executed.add(ctx);
      const action = info.fieldName;
      let staged: string | undefined;
      const outer = ctx.beforeCommit;
      const beforeCommit: BeforeCommit = async (txCtx, result) => {
        await outer?.(txCtx, result); // the request's own last step, if any (an Idempotency-Key's commit mark)
        if (staged) return; // a second transaction of the same mutation: its entry is written already
        staged = await appendAudit(txCtx.db, txCtx.principal, auditEntry(action, decl, args, 'OK', result));
      };
      ctx.beforeCommit = beforeCommit;
      let value: unknown;
      try {
        // A refused token never reaches a resolver (the HTTP layer refuses the request); should one, it is refused and on record.
        if (ctx.principal.rejected !== undefined) throw unauthenticated(ctx.principal.rejected);
        value = await resolve(root, args, ctx, info);
      } catch (e) {
        ctx.beforeCommit = outer;
        // Staged in a transaction that then failed (at commit, say): it rolled back with the change. Or the change
        // committed and the mutation failed afterwards (queueing its job, say): its OK entry stands and a follow-up says how it ended.
        const committed = staged === undefined ? false : await auditEntryExists(ctx.db, staged).catch(() => 'unknown' as const);
        const entry = auditEntry(action, decl, args, outcomeOf(e));
        if (committed !== false) entry.detail = { ...entry.detail, afterCommit: committed === true ? true : 'unknown', entryId: staged };
        await appendAudit(ctx.db, ctx.principal, entry).catch((err: unknown) => logger.error({ err, action }, 'audit append failed'));
        throw e;
      }
      ctx.beforeCommit = outer;
      // A mutation that changed nothing transactional (or nothing at all): its entry follows it.
      if (!staged)
        await appendAudit(ctx.db, ctx.principal, auditEntry(action, decl, args, 'OK', value)).catch((err: unknown) =>
          logger.error({ err, action }, 'audit append failed'),
        );
      return value;
    };
    (audited as { audited?: true }).audited = true;
    field.resolve = audited;
  }
  return schema;
}

/** A URL's origin only (its path or query may hold a token), for declarations. */
export function originOf(url: unknown): string | null {
  try {
    return new URL(String(url)).origin;
  } catch {
    return null;
  }
}
