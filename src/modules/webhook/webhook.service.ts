import { withTransaction } from '../../platform/context';
import { HubContext } from '../context';
import { badInput, forbidden, notFound } from '../../platform/errors';
import { mayReadRating } from '../../platform/auth/access.rules';
import { jurisdictionPrefixes, Principal } from '../../platform/auth/principal';
import { findByCreditCode } from '../enterprise/enterprise.repository';
import { EVENT_TYPES, OUTBOX_RETENTION_DAYS } from '../outbox/outbox';
import { newSecret, secretProblem } from './standard-webhooks';
import { AddressPolicy, webhookUrlProblem } from './url-guard';
import { queueDelivery } from './webhook.delivery';
import { decodeCursor } from '../../platform/sql';
import { pageSize } from '../../platform/graphql/connection';
import { isUuid, requireFound } from '../../platform/checks';
import { regionArgument } from '../enterprise/region-argument';
import { EVALUATORS } from '../../platform/auth/access.rules';
import { SYSTEM_ADMINS } from '../../platform/auth/roles';
import {
  cancelPending,
  lockWebhook,
  DeliveryRow,
  DeliveryStatus,
  WebhookRow,
  createdWithin,
  deliveryById,
  insertWebhook,
  listWebhooks,
  replayRange,
  resetDelivery,
  rotateSecret,
  setWebhookActive,
  webhookById,
} from './webhook.repository';

/** Roles that may hold webhooks: partner agencies and the authorities (each sees only its own). */
export const WEBHOOK_OWNERS = [...EVALUATORS, 'PARTNER_AGENCY'];
/** Who may list and deactivate webhooks: their owners, and the system administrator for every owner's (operations; it holds none, replays none, sees no secret). */
export const WEBHOOK_OPERATORS = [...WEBHOOK_OWNERS, ...SYSTEM_ADMINS];
/** After a rotation the old secret still signs (beside the new one) this long, so receivers can switch over. */
export const SECRET_GRACE_MS = 24 * 3_600_000;
export const MAX_REPLAY_EVENTS = 10_000;
const MAX_WEBHOOKS_PER_OWNER = 20;

export interface RegisterWebhook {
  url: string;
  events: string[];
  secret?: string | null;
  regionCode?: string | null;
  creditCode?: string | null;
}

/** Whether `p` registered `w`: the same subject, role and agency (a token for another agency with the same subject is someone else). */
function owns(p: Principal, w: WebhookRow): boolean {
  return w.ownerSubject === p.subject && w.ownerRole === p.role && (w.agency ?? null) === (p.agency ?? null);
}

/** A webhook its owner (or, to list and deactivate it, the system administrator) may manage; anyone else is told it does not exist. */
async function ownWebhook(ctx: HubContext, id: string, lock = false): Promise<WebhookRow> {
  return yours(ctx, id, isUuid(id) ? await webhookById(ctx.db, id, lock) : undefined);
}

function yours(ctx: HubContext, id: string, w: WebhookRow | null | undefined): WebhookRow {
  if (!w || (ctx.principal.role !== 'SYSTEM_ADMIN' && !owns(ctx.principal, w))) throw notFound(`No webhook ${id} of yours.`);
  return w;
}

function checkEvents(events: string[]): string[] {
  const unique = [...new Set(events)];
  if (!unique.length) throw badInput(`events must name at least one event type (${EVENT_TYPES.join(', ')})`, 'events');
  const unknown = unique.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length) throw badInput(`unknown event type ${unknown.join(', ')}; known: ${EVENT_TYPES.join(', ')}`, 'events');
  return unique;
}

async function checkUrl(policy: AddressPolicy, url: string): Promise<void> {
  const problem = await webhookUrlProblem(url, policy);
  if (problem) throw badInput(`Webhook URL refused: ${problem}.`, 'url');
}

/** A region filter inside the caller's jurisdiction. */
function regionFilter(p: Principal, regionCode: string | null | undefined): { code: string; prefix: string } | null {
  const prefix = regionArgument(regionCode);
  if (!regionCode || prefix === undefined) return null;
  const mine = jurisdictionPrefixes(p);
  if (mine !== null && !mine.some((m) => prefix.startsWith(m))) throw forbidden(`Region ${regionCode} is outside your jurisdiction (${p.regions.join(', ')}).`);
  return { code: regionCode, prefix };
}

/** Replays stay clear of what the daily prune may be removing. */
const REPLAYABLE_DAYS = OUTBOX_RETENTION_DAYS - 1;
const replayableSince = () => new Date(Date.now() - REPLAYABLE_DAYS * 86_400_000);

function checkRange(from: Date, to: Date): void {
  if (!(from < to)) throw badInput('from must lie before to', 'from');
  if (from < replayableSince())
    throw badInput(`Only the last ${REPLAYABLE_DAYS} days can be replayed (events are kept ${OUTBOX_RETENTION_DAYS} days).`, 'from');
}

/** Partner webhooks: registration, management, the delivery log and replays. */
export const webhookService = {
  async register(ctx: HubContext, input: RegisterWebhook): Promise<WebhookRow> {
    const p = ctx.principal;
    // A stored scope of no prefixes delivers every region: a caller whose jurisdiction covers nothing (an authority token without regions) may not hold one.
    const scope = jurisdictionPrefixes(p);
    if (scope !== null && scope.length === 0)
      throw forbidden('您的令牌没有管辖范围，不能登记 webhook / Your token carries no jurisdiction (regions), so it may not register a webhook.');
    const events = checkEvents(input.events);
    if (input.secret) {
      const problem = secretProblem(input.secret);
      if (problem) throw badInput(problem, 'secret');
    }
    const region = regionFilter(p, input.regionCode);
    if (input.creditCode) {
      const e = await findByCreditCode(ctx.db, input.creditCode);
      if (!e) throw notFound(`No enterprise with credit code ${input.creditCode}.`);
      if (!mayReadRating(p, e)) throw forbidden(`Enterprise ${input.creditCode} is outside your jurisdiction.`);
    }
    await checkUrl(ctx.webhooks.policy, input.url);
    const secret = input.secret ?? newSecret();
    return withTransaction(ctx, async (ctx) => {
      const count = (await listWebhooks(ctx.db, p.subject)).filter((w) => w.active && owns(p, w)).length;
      if (count >= MAX_WEBHOOKS_PER_OWNER)
        throw badInput(`You already have ${count} active webhooks (at most ${MAX_WEBHOOKS_PER_OWNER}); deactivate one first.`);
      const w = (await insertWebhook(ctx.db, {
        ownerSubject: p.subject,
        ownerRole: p.role,
        agency: p.agency ?? null,
        scopePrefixes: scope ?? [],
        scopeCreditCode: p.role === 'ENTERPRISE' ? (p.creditCode ?? null) : null,
        filterRegionCode: region?.code ?? null,
        filterRegionPrefix: region?.prefix ?? null,
        filterCreditCode: input.creditCode ?? null,
        url: input.url,
        events,
        secret,
      }))!;
      return { ...w, secret };
    });
  },

  async list(ctx: HubContext): Promise<WebhookRow[]> {
    const p = ctx.principal;
    if (p.role === 'SYSTEM_ADMIN') return listWebhooks(ctx.db, null);
    return (await listWebhooks(ctx.db, p.subject)).filter((w) => owns(p, w));
  },

  get(ctx: HubContext, id: string): Promise<WebhookRow> {
    return ownWebhook(ctx, id);
  },

  /** Deactivating stops deliveries (pending ones are cancelled, replayable later); activating checks the URL again. */
  async setActive(ctx: HubContext, id: string, active: boolean): Promise<WebhookRow> {
    const w = await ownWebhook(ctx, id);
    if (active && !owns(ctx.principal, w))
      throw forbidden("只有 webhook 的登记者可重新启用 / Only the webhook's owner may reactivate it (an operator only deactivates).");
    if (active && !w.active) await checkUrl(ctx.webhooks.policy, w.url);
    return withTransaction(ctx, async (ctx) => {
      await ownWebhook(ctx, id, true);
      const updated = requireFound(await setWebhookActive(ctx.db, id, active, active ? null : `deactivated by ${ctx.principal.subject}`), 'webhook', id);
      if (!active) await cancelPending(ctx.db, id);
      return updated;
    });
  },

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours. */
  async rotateSecret(ctx: HubContext, id: string, secret?: string | null): Promise<WebhookRow> {
    if (secret) {
      const problem = secretProblem(secret);
      if (problem) throw badInput(problem, 'secret');
    }
    const next = secret ?? newSecret();
    return withTransaction(ctx, async (ctx) => {
      await ownWebhook(ctx, id, true);
      const w = requireFound(await rotateSecret(ctx.db, id, next, new Date(Date.now() + SECRET_GRACE_MS)), 'webhook', id);
      return { ...w, secret: next };
    });
  },

  /** `Webhook.deliveries`: through the request's loaders, so a list of webhooks costs one statement for all their logs. */
  async deliveries(ctx: HubContext, webhookId: string, status: DeliveryStatus | null, first: number, after: string | null): Promise<DeliveryRow[]> {
    yours(ctx, webhookId, isUuid(webhookId) ? await ctx.loaders.webhook.load(webhookId) : null);
    pageSize(first, first, 500, 1);
    let cursor: { createdAt: Date; id: string } | null = null;
    if (after) {
      const [at, id] = decodeCursor(after).split('|');
      if (!id || Number.isNaN(Date.parse(at)) || !isUuid(id)) throw badInput('after is not a cursor of this list', 'after');
      cursor = { createdAt: new Date(at), id };
    }
    return ctx.loaders.webhookDeliveries(webhookId, { status, first, after: cursor });
  },

  /** Sends one delivery again now (same `webhook-id`), from a fresh retry budget: dead letters, delivered or cancelled ones alike. */
  async replay(ctx: HubContext, deliveryId: string): Promise<DeliveryRow> {
    const d = isUuid(deliveryId) ? await deliveryById(ctx.db, deliveryId) : undefined;
    if (!d) throw notFound(`No webhook delivery ${deliveryId}.`);
    const w = await ownWebhook(ctx, d.webhookId).catch(() => {
      throw notFound(`No webhook delivery ${deliveryId}.`);
    });
    if (!w.active) throw badInput('The webhook is inactive; activate it (setWebhookActive) before replaying.', 'id');
    if (!(await createdWithin(ctx.db, d.id, REPLAYABLE_DAYS)))
      throw badInput(`Only deliveries of the last ${REPLAYABLE_DAYS} days can be replayed (events are kept ${OUTBOX_RETENTION_DAYS} days).`, 'id');
    const ref = await withTransaction(ctx, async (ctx) => {
      await lockWebhook(ctx.db, w.id);
      const r = requireFound(await resetDelivery(ctx.db, deliveryId), 'webhook delivery', deliveryId);
      return { ...r, webhookId: w.id }; // the audit entry names the webhook (result.webhookId)
    });
    await queueDelivery(ctx.jobs, ref);
    return requireFound(await deliveryById(ctx.db, deliveryId), 'webhook delivery', deliveryId);
  },

  /**
   * Sends again every event of [from, to) that matches the webhook, oldest first, at most
   * MAX_REPLAY_EVENTS per call; returns how many deliveries were queued.
   */
  async replayRange(ctx: HubContext, webhookId: string, from: Date, to: Date): Promise<number> {
    checkRange(from, to);
    const w = await ownWebhook(ctx, webhookId);
    if (!w.active) throw badInput('The webhook is inactive; activate it (setWebhookActive) before replaying.', 'webhookId');
    const queued = await withTransaction(ctx, async (ctx) => {
      await lockWebhook(ctx.db, w.id);
      const q = await replayRange(ctx.db, webhookId, from, to, MAX_REPLAY_EVENTS);
      return q;
    });
    for (const d of queued) await queueDelivery(ctx.jobs, d);
    return queued.length;
  },
};
