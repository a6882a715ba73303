import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DishonestyLevel, TipSourceKind, TipStatus } from '../graphql-enums';
import { Deadline } from '../calendar/calendar.type';
import { Connection } from '../../platform/graphql/connection';

@InputType({
  description:
    'A tip (线索, Art. 8) about an enterprise from one of the six kinds of source. Anyone may give one (no token); the tipster fields are optional and restricted.',
})
export class TipInput {
  @Field(() => TipSourceKind, { description: 'Who gives it (Art. 8: 行业协会商会、大数据企业、金融机构、新闻媒体、社会组织、公民个人).' })
  sourceKind: TipSourceKind;
  @Field({ description: 'The enterprise concerned (统一社会信用代码).' }) creditCode: string;
  @Field(() => String, { nullable: true, description: 'The indicator of the credit policy it concerns, if the tipster can say (e.g. 2.3).' })
  indicator?: string | null;
  @Field({ description: 'What happened (at most 2000 characters).' }) content: string;
  @Field(() => Date, { nullable: true, description: 'When it happened, if known (never in the future).' }) occurredAt?: Date | null;
  @Field(() => [String], { nullable: true, description: 'Evidence references (file names, links, document numbers): at most 20, each at most 500 characters.' })
  evidenceRefs?: string[] | null;
  @Field(() => String, { nullable: true, description: "The tipster's name: restricted personal data (only the handling authority sees it)." })
  tipsterName?: string | null;
  @Field(() => String, { nullable: true, description: 'The organisation giving the tip (not for CITIZEN): restricted.' })
  tipsterOrganisation?: string | null;
  @Field(() => String, { nullable: true, description: 'How to reach the tipster: restricted personal data.' }) tipsterContact?: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'A tip received on paper or by telephone, entered later: when it arrived (the supervising authority in scope only; default now).',
  })
  receivedAt?: Date | null;
}

@InputType({ description: 'What the verifier states when the tip did not (or said wrongly): needed for CONFIRMED.' })
export class VerifyTipInput {
  @Field(() => String, { nullable: true, description: "The indicator the conduct concerns (default: the tip's)." }) indicator?: string | null;
  @Field(() => Date, { nullable: true, description: "When the conduct happened (default: the tip's)." }) occurredAt?: Date | null;
  @Field(() => DishonestyLevel, { nullable: true, description: "The candidate's suggested level (default: the indicator's lowest)." })
  level?: DishonestyLevel | null;
}

@ObjectType({ simpleResolvers: true, description: 'The receipt of a tip: keep the number to follow it up (tipStatus).' })
export class TipReceipt {
  @Field({ description: 'Unguessable receipt number (回执号), e.g. XS20261202K7QX3M9PTA2W.' }) receiptNo: string;
  @Field() receivedAt: Date;
  @Field(() => Deadline, { description: 'Verification due 7 working days after receipt (the hub default; the rules set none for tips).' }) due: Deadline;
}

@ObjectType({ simpleResolvers: true, description: 'What the tipster may follow: the status and the due date, nothing else.' })
export class TipStatusView {
  @Field() receiptNo: string;
  @Field(() => TipStatus) status: TipStatus;
  @Field(() => Deadline) due: Deadline;
}

@ObjectType({ simpleResolvers: true, description: "A tipster's identity (restricted personal data)." })
export class Tipster {
  @Field(() => String, { nullable: true }) name: string | null;
  @Field(() => String, { nullable: true }) organisation: string | null;
  @Field(() => String, { nullable: true }) contact: string | null;
}

/** A tip as the handling authority sees it; `enterprise`, `due` and `tipster` are resolved in tip.resolver.ts. */
@ObjectType({ simpleResolvers: true })
export class Tip {
  @Field(() => ID) id: string;
  @Field(() => TipSourceKind) sourceKind: TipSourceKind;
  @Field(() => String, { nullable: true, description: 'The indicator concerned (the tip’s, or the verifier’s on CONFIRMED).' }) indicator: string | null;
  @Field() content: string;
  @Field(() => Date, { nullable: true }) occurredAt: Date | null;
  @Field(() => [String]) evidenceRefs: string[];
  @Field(() => TipStatus) status: TipStatus;
  @Field() receivedAt: Date;
  @Field(() => Date, { nullable: true }) verifiedAt: Date | null;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => ID, { nullable: true, description: 'The candidate violation a CONFIRMED tip raised (review it with confirmCandidate / dismissCandidate).' })
  candidateId: string | null;
}

@ObjectType({ simpleResolvers: true })
export class TipConnection extends Connection(Tip) {}
