import type { Queryable } from '../../platform/sql';
import { argLoader, groupLoader, singleLoader } from '../../platform/dataloaders';
import { AttemptRow, DeliveryPage, DeliveryRow, WebhookRow, attemptsOf, deliveriesOf, webhooksByIds } from './webhook.repository';

/** Per-request loaders of webhooks: the delivery log and its attempts cost one statement per page of webhooks. */
export function webhookLoaders(m: Queryable) {
  return {
    webhook: singleLoader<WebhookRow>(
      (ids) => webhooksByIds(m, ids),
      (r) => r.id,
    ),
    webhookDeliveries: argLoader<DeliveryPage, DeliveryRow>(
      (ids, page) => deliveriesOf(m, ids, page),
      (r) => r.webhookId,
    ),
    webhookAttempts: groupLoader<AttemptRow>(
      (ids) => attemptsOf(m, ids),
      (r) => r.deliveryId,
    ),
  };
}
