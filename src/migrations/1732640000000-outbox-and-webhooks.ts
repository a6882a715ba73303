import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partner notifications (issue 4): the transactional outbox, webhook endpoints, their
 * deliveries and the attempt log.
 *
 * - `outbox_event` is written in the transaction that changed a grade; `published_at`
 *   stays NULL until a relay has handed it to Redis and to the webhook deliveries.
 * - `enterprise.event_seq` numbers each enterprise's events 1, 2, 3… so a receiver can
 *   put them back in order whatever order they arrive in.
 * - `webhook_delivery` is the truth about a webhook message (its id is the
 *   `webhook-id` header, the same on every retry); queue jobs only carry it, so a
 *   Redis that is flushed or restarted loses no delivery.
 */
export class OutboxAndWebhooks1732640000000 implements MigrationInterface {
  name = 'OutboxAndWebhooks1732640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE enterprise ADD COLUMN event_seq integer NOT NULL DEFAULT 0;

      CREATE TABLE outbox_event (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        topic text NOT NULL,
        enterprise_id uuid NOT NULL REFERENCES enterprise(id),
        sequence integer NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        UNIQUE (enterprise_id, topic, sequence)
      );
      CREATE INDEX outbox_event_unpublished ON outbox_event (id) WHERE published_at IS NULL;
      CREATE INDEX outbox_event_published_at ON outbox_event (published_at);
      CREATE INDEX outbox_event_created_at ON outbox_event (created_at);

      CREATE TABLE webhook (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_subject text NOT NULL,
        owner_role text NOT NULL,
        agency text,
        -- The owner's jurisdiction when registering (region prefixes; empty: all) and, for an
        -- enterprise token, its own code: deliveries never go beyond what the owner may read.
        scope_prefixes text[] NOT NULL DEFAULT '{}',
        scope_credit_code text,
        filter_region_code text,
        filter_region_prefix text,
        filter_credit_code text,
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_until timestamptz,
        active boolean NOT NULL DEFAULT true,
        deactivated_at timestamptz,
        deactivated_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX webhook_owner ON webhook (owner_subject);

      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhook(id),
        event_id bigint NOT NULL REFERENCES outbox_event(id),
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD', 'CANCELLED')),
        attempts integer NOT NULL DEFAULT 0,
        -- Bumped by each replay: an attempt still in flight from before cannot overwrite the new round.
        generation integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_status_code integer,
        last_error text,
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, event_id)
      );
      CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING';
      CREATE INDEX webhook_delivery_log ON webhook_delivery (webhook_id, created_at DESC);
      CREATE INDEX webhook_delivery_event ON webhook_delivery (event_id);

      CREATE TABLE webhook_attempt (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_delivery(id),
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        status_code integer,
        error text,
        duration_ms integer NOT NULL
      );
      CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery_id, attempt);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE webhook_attempt; DROP TABLE webhook_delivery; DROP TABLE webhook; DROP TABLE outbox_event;
      ALTER TABLE enterprise DROP COLUMN event_seq;
    `);
  }
}
