import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DishonestyLevel, ObjectionOutcome, ObjectionReceiver, ObjectionStatus } from '../graphql-enums';

/** An objection (异议, Art. 26); `enterprise`, `record` and `due` are resolved in objection.resolver.ts. */
@ObjectType({ simpleResolvers: true, description: '异议 (Art. 26): an enterprise disputes a credit record or its current rating.' })
export class Objection {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true, description: 'The disputed rating (an objection against the rating); null for one against a record.' })
  ratingId: string | null;
  @Field(() => ObjectionStatus) status: ObjectionStatus;
  @Field({ description: '异议陈述: the facts and reasons the enterprise states.' }) statement: string;
  @Field(() => ObjectionReceiver) receivedBy: ObjectionReceiver;
  @Field({ description: 'The first receipt: the comparison deadline runs from it.' }) receivedAt: Date;
  @Field(() => Date, { nullable: true, description: 'When the credit authority routed it to the evaluating body (null otherwise).' })
  routedAt: Date | null;
  @Field(() => ObjectionOutcome, { nullable: true }) outcome: ObjectionOutcome | null;
  @Field(() => String, { nullable: true, description: 'The reason given with the decision.' }) reason: string | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
}

@InputType({ description: 'What an upheld objection corrects in the disputed record (facts wrong, Art. 26); what is not given stays as it was.' })
export class RecordCorrectionInput {
  @Field(() => String, { nullable: true }) indicator?: string | null;
  @Field(() => DishonestyLevel, { nullable: true }) level?: DishonestyLevel | null;
  @Field(() => Date, { nullable: true }) occurredAt?: Date | null;
}

@InputType({ description: 'An objection (Art. 26) against a credit record (recordId), or against the current rating (ratingId, or neither).' })
export class ObjectionInput {
  @Field() creditCode: string;
  @Field(() => ID, { nullable: true, description: 'The disputed credit record (ACTIVE, of this enterprise).' }) recordId?: string | null;
  @Field(() => ID, { nullable: true, description: "The disputed rating: the enterprise's current one (the default without recordId)." })
  ratingId?: string | null;
  @Field() statement: string;
  @Field(() => ObjectionReceiver, {
    description: 'Who received it: the evaluating body, or the credit authority (then routed; the clock runs from this receipt).',
  })
  receivedBy: ObjectionReceiver;
  @Field(() => Date, { nullable: true, description: "The receipt (default now; never in the future, never before the record's determination or the rating)." })
  at?: Date | null;
}
