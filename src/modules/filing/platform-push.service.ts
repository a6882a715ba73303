import { withTransaction } from '../../platform/context';
import { logger } from '../../platform/logger';
import type { HubContext } from '../context';
import type { EnterpriseRow } from '../enterprise/enterprise.repository';
import type { CreditRecordRow } from '../credit/credit-record.repository';
import type { StatusCause } from '../credit/determination-hooks';
import { authorityKindOf, authorityNameZh } from '../credit/provenance.rules';
import { decide } from '../webhook/retry.rules';
import { webhookHeaders } from '../webhook/standard-webhooks';
import { send } from '../webhook/webhook.sender';
import type { PushSubject } from './filing.rules';
import { PlatformPushRow, claimDuePushes, insertPush, recordPushAttempt } from './platform-push.repository';

/** Seconds a sender holds a claimed push; a crashed sender's push is due again after it. */
const LEASE_S = 60;

/**
 * The JSON document the city credit platform receives: the record, the enterprise's credit code
 * and what was determined, by whom (the authority, never the officer) and under which document
 * number, with the public summary. No personal data.
 */
export function platformDocument(
  kind: PushSubject,
  e: Pick<EnterpriseRow, 'creditCode'>,
  r: CreditRecordRow,
  extra: { repairId?: string; decidedAt?: Date } = {},
): Record<string, unknown> {
  return {
    type: kind === 'DETERMINATION' ? 'credit.determination' : 'credit.repair_decision',
    recordId: r.id,
    creditCode: e.creditCode,
    recordKind: r.kind,
    indicator: r.indicator,
    level: r.level ?? r.honorLevel,
    status: kind === 'DETERMINATION' ? 'ACTIVE' : 'REPAIRED',
    determiningAuthority: {
      regionCode: r.determiningRegionCode,
      kind: authorityKindOf(r.determiningRegionCode),
      nameZh: authorityNameZh(r.determiningRegionCode),
    },
    documentNo: r.sourceDocumentNo,
    determinedAt: r.determinedAt.toISOString(),
    publicSummary: r.publicSummary,
    ...(extra.repairId ? { repairId: extra.repairId, decidedAt: extra.decidedAt?.toISOString() } : {}),
  };
}

/** What the platform is told about a status change: the cause's kind and id, never the officer's free-text reason (it may name people). */
const STATUS_CAUSE_ZH: Record<StatusCause['kind'], string> = {
  REPAIR: '信用修复（第二十五条）',
  OBJECTION: '异议成立，事实有误（第二十六条）',
  REPORT: '举报核实，信息不实（第二十八条）',
  OFFICER: '主管部门变更',
};

/** The document of a record's status change (revocation, restoration; a repair is pushed as its decision). */
export function statusChangeDocument(e: Pick<EnterpriseRow, 'creditCode'>, r: CreditRecordRow, previous: string, cause: StatusCause): Record<string, unknown> {
  return {
    type: 'credit.status_changed',
    recordId: r.id,
    creditCode: e.creditCode,
    recordKind: r.kind,
    indicator: r.indicator,
    previousStatus: previous,
    status: r.status,
    cause: { kind: cause.kind, id: cause.id, zh: STATUS_CAUSE_ZH[cause.kind] },
    changedAt: cause.at.toISOString(),
  };
}

/** The `webhook-id` of a push: the same on every retry, so the platform deduplicates. */
export const pushMessageId = (pushId: string) => `push_${pushId.replace(/-/g, '')}`;

/**
 * Pushes to the city credit platform (Art. 7: "the same day"). A push is queued in the
 * transaction of what it reports, so it exists exactly when that was committed; the scheduler's
 * tick (every 10 s) sends what is due, signed like the webhooks (Standard Webhooks, HMAC-SHA256),
 * with the webhooks' retry schedule and address policy, and stores each attempt and the
 * platform's receipt (`receiptId` of its JSON answer).
 */
export const platformPushService = {
  /** Queues a document in the caller's transaction: PENDING, or NOT_CONFIGURED while this process has no platform configured (sent once it has). */
  async queueIn(
    ctx: HubContext,
    kind: PushSubject,
    recordId: string,
    repairId: string | null,
    document: Record<string, unknown>,
  ): Promise<PlatformPushRow | undefined> {
    return insertPush(ctx.db, { subjectKind: kind, recordId, repairId, document, state: ctx.webhooks.creditPlatform ? 'PENDING' : 'NOT_CONFIGURED' });
  },

  /** Sends every push that is due (at most `limit`); returns how many were attempted. Nothing happens without a configured platform. */
  async deliverDue(ctx: HubContext, limit = 20): Promise<number> {
    const target = ctx.webhooks.creditPlatform;
    if (!target) return 0;
    const claimed = await withTransaction(ctx, (ctx) => claimDuePushes(ctx.db, limit, LEASE_S));
    // In parallel: one slow answer does not hold up the rest (each attempt is bounded by the sender's timeout).
    await Promise.all(claimed.map((p) => this.attempt(ctx, p, target)));
    return claimed.length;
  },

  async attempt(ctx: HubContext, p: PlatformPushRow, target: { url: string; secret: string }): Promise<void> {
    const attempt = p.attempts + 1;
    const body = JSON.stringify({ id: p.id, timestamp: new Date().toISOString(), data: p.document });
    const res = await send(target.url, webhookHeaders([target.secret], pushMessageId(p.id), body), body, ctx.webhooks.policy, undefined, true);
    let receipt: string | null = null;
    if (res.status !== null && res.status >= 200 && res.status < 300) {
      try {
        const answer = JSON.parse(res.body ?? '') as { receiptId?: unknown };
        receipt = typeof answer.receiptId === 'string' && answer.receiptId ? answer.receiptId.slice(0, 200) : null;
      } catch {
        receipt = null;
      }
    }
    // A 2xx without a receipt is not proof of receipt: retried like a failure.
    const outcome = receipt || res.status === null || res.status < 200 || res.status >= 300 ? res : { ...res, status: 502 };
    const d = decide(attempt, outcome, ctx.webhooks.retryScale);
    const state = d.kind === 'delivered' ? 'DELIVERED' : d.kind === 'retry' ? 'PENDING' : 'DEAD';
    const error =
      d.kind === 'delivered' ? null : (res.error ?? (outcome.status !== res.status ? `HTTP ${res.status} without a receiptId` : `HTTP ${res.status}`));
    await withTransaction(ctx, (ctx) =>
      recordPushAttempt(ctx.db, {
        pushId: p.id,
        attempt,
        statusCode: res.status,
        error,
        receipt,
        durationMs: res.durationMs,
        state,
        retryInMs: d.kind === 'retry' ? d.delayMs : null,
      }),
    );
    if (state === 'DEAD') logger.warn({ pushId: p.id, attempts: attempt }, 'credit platform push gave up after its last retry');
  },

  /** A record's determination push (internal readers only: the resolver checks). */
  ofRecord(ctx: HubContext, r: CreditRecordRow): Promise<PlatformPushRow | null> {
    return ctx.loaders.platformPush.load(r.id);
  },

  /** Every push of a record, oldest first (one batched load per request). */
  allOfRecord(ctx: HubContext, r: CreditRecordRow): Promise<PlatformPushRow[]> {
    return ctx.loaders.platformPushes.load(r.id);
  },
};
