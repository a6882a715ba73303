import { Field, ID, Int, ObjectType } from 'type-graphql';
import { WebhookDeliveryStatus } from '../graphql-enums';

@ObjectType({ simpleResolvers: true })
export class Webhook {
  @Field(() => ID) id: string;
  @Field() url: string;
  @Field(() => [String]) events: string[];
  @Field() active: boolean;
  @Field(() => String, { nullable: true, description: 'The signing secret (whsec_…): returned only by registerWebhook and rotateWebhookSecret, never again.' })
  secret: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes in this region (its jurisdiction prefix).' }) regionCode: string | null;
  @Field(() => String, { nullable: true, description: 'Only changes of this enterprise.' }) creditCode: string | null;
  @Field(() => String, { nullable: true, description: 'The partner agency that registered it.' }) agency: string | null;
  @Field() createdAt: Date;
  @Field(() => String, { nullable: true, description: 'Why it is inactive (410 Gone from the receiver, or its owner).' }) deactivatedReason: string | null;
  @Field(() => Date, { nullable: true, description: 'Until then the secret before the last rotation still signs too.' }) previousSecretValidUntil: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class WebhookAttempt {
  @Field(() => Int) attempt: number;
  @Field() attemptedAt: Date;
  @Field(() => Int, { nullable: true, description: 'HTTP status; null when no answer came.' }) statusCode: number | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => Int) durationMs: number;
}

@ObjectType({ simpleResolvers: true })
export class WebhookDelivery {
  @Field(() => ID) id: string;
  @Field({ description: 'The webhook-id header: the same on every retry and replay.' }) messageId: string;
  @Field({ description: 'Pass as `after` for the next page of the log.' }) cursor: string;
  @Field(() => ID) eventId: string;
  @Field() eventType: string;
  @Field(() => Int, { description: "The enterprise's change number." }) sequence: number;
  @Field() creditCode: string;
  @Field(() => WebhookDeliveryStatus) status: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'Attempts in the current round (a replay starts a new round).' }) attempts: number;
  @Field(() => Date, { nullable: true }) nextAttemptAt: Date | null;
  @Field(() => Int, { nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field(() => Date, { nullable: true }) deliveredAt: Date | null;
  @Field() createdAt: Date;
}
