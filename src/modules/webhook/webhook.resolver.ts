import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { HubContext } from '../context';
import { encodeCursor } from '../../platform/sql';
import { WebhookDeliveryStatus } from '../graphql-enums';
import { WebhookInput } from './webhook.input';
import { Webhook, WebhookAttempt, WebhookDelivery } from './webhook.type';
import { messageId } from './webhook.delivery';
import type { AttemptRow, DeliveryRow, WebhookRow } from './webhook.repository';
import { WEBHOOK_OPERATORS, WEBHOOK_OWNERS, webhookService } from './webhook.service';
import { Audited, originOf } from '../audit/audited';

/** The API shape of a stored webhook; the secret only when this answer created it. */
function toWebhook(w: WebhookRow): Webhook {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    active: w.active,
    secret: w.secret ?? null,
    regionCode: w.filterRegionCode,
    creditCode: w.filterCreditCode,
    agency: w.agency,
    createdAt: w.createdAt,
    deactivatedReason: w.deactivatedReason,
    previousSecretValidUntil: w.previousSecretUntil && w.previousSecretUntil > new Date() ? w.previousSecretUntil : null,
  };
}

function toDelivery(d: DeliveryRow): WebhookDelivery {
  return {
    ...d,
    messageId: messageId(d.id),
    cursor: encodeCursor(`${d.createdAt.toISOString()}|${d.id}`),
    status: d.status,
    nextAttemptAt: d.status === 'PENDING' ? d.nextAttemptAt : null,
  };
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @Authorized(WEBHOOK_OWNERS)
  @Audited({
    target: 'webhook',
    id: 'result.id',
    detail: [['origin', 'input.url', originOf], 'result.agency', 'input.events', 'input.regionCode', 'input.creditCode'],
  })
  @Mutation(() => Webhook, {
    description:
      'Registers a webhook for rating changes (Standard Webhooks signatures). The URL must be public https (internal addresses only when an administrator allow-listed them). The answer carries the secret, once.',
  })
  async registerWebhook(@Ctx() ctx: HubContext, @Arg('input', () => WebhookInput) input: WebhookInput): Promise<Webhook> {
    return toWebhook(await webhookService.register(ctx, input));
  }

  @Authorized(WEBHOOK_OPERATORS)
  @Query(() => [Webhook], { description: 'Your webhooks (the system administrator sees all).' })
  async webhooks(@Ctx() ctx: HubContext): Promise<Webhook[]> {
    return (await webhookService.list(ctx)).map(toWebhook);
  }

  @Authorized(WEBHOOK_OPERATORS)
  @Query(() => Webhook, { nullable: true })
  async webhook(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string): Promise<Webhook> {
    return toWebhook(await webhookService.get(ctx, id));
  }

  @Authorized(WEBHOOK_OPERATORS)
  @Audited({ target: 'webhook', id: 'id', detail: ['active'] })
  @Mutation(() => Webhook, {
    description:
      "Deactivates (pending deliveries are cancelled, replayable later) or reactivates a webhook. The system administrator may deactivate anyone's; only the owner reactivates.",
  })
  async setWebhookActive(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string, @Arg('active') active: boolean): Promise<Webhook> {
    return toWebhook(await webhookService.setActive(ctx, id, active));
  }

  @Authorized(WEBHOOK_OWNERS)
  @Audited({ target: 'webhook', id: 'id' })
  @Mutation(() => Webhook, {
    description:
      'Replaces the signing secret (given, or generated); the old one keeps signing beside it for 24 hours. The answer carries the new secret, once.',
  })
  async rotateWebhookSecret(
    @Ctx() ctx: HubContext,
    @Arg('id', () => ID) id: string,
    @Arg('secret', () => String, { nullable: true }) secret?: string | null,
  ): Promise<Webhook> {
    return toWebhook(await webhookService.rotateSecret(ctx, id, secret));
  }

  @Authorized(WEBHOOK_OWNERS)
  @Audited({ target: 'webhook_delivery', id: 'id', detail: ['result.webhookId'] })
  @Mutation(() => WebhookDelivery, { description: 'Sends one delivery again now, with the same webhook-id and a fresh retry budget (dead letters included).' })
  async replayWebhookDelivery(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string): Promise<WebhookDelivery> {
    return toDelivery(await webhookService.replay(ctx, id));
  }

  @Authorized(WEBHOOK_OWNERS)
  @Audited({ target: 'webhook', id: 'webhookId', detail: ['from', 'to', ['deliveries', 'result.length']] })
  @Mutation(() => Int, {
    description: 'Sends again every event in [from, to) that matches the webhook (10,000 at most per call, oldest first); returns how many were queued.',
  })
  replayWebhookDeliveries(
    @Ctx() ctx: HubContext,
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
  ): Promise<number> {
    return webhookService.replayRange(ctx, webhookId, from, to);
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'The delivery log, newest first.' })
  async deliveries(
    @Ctx() ctx: HubContext,
    @Root() w: Webhook,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status?: WebhookDeliveryStatus | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
    @Arg('after', () => String, { nullable: true, description: 'The cursor of the last delivery of the previous page.' }) after?: string | null,
  ): Promise<WebhookDelivery[]> {
    return (await webhookService.deliveries(ctx, w.id, status ?? null, first, after ?? null)).map(toDelivery);
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => [WebhookAttempt], { description: 'Every attempt of this delivery, oldest first.' })
  attemptLog(@Ctx() ctx: HubContext, @Root() d: WebhookDelivery): Promise<AttemptRow[]> {
    return ctx.loaders.webhookAttempts.load(d.id);
  }
}
