import { Field, ID, ObjectType } from 'type-graphql';
import { RepairStatus } from '../graphql-enums';

/** A credit repair application (信用修复, Art. 22, 24, 25); `record`, `decisionDueAt` and `decisionDue` are resolved in repair.resolver.ts. */
@ObjectType({ simpleResolvers: true })
export class CreditRepair {
  @Field(() => ID) id: string;
  @Field(() => RepairStatus) status: RepairStatus;
  @Field() statement: string;
  @Field() submittedAt: Date;
  @Field(() => [String], { description: 'Evidence references filed (with the supplements).' }) evidence: string[];
  @Field(() => Boolean, { nullable: true, description: '信用修复型承诺 signed; null when not stated.' }) commitmentSigned: boolean | null;
  @Field(() => Date, { nullable: true, description: 'The latest return for supplement (退回补正).' }) returnedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'What the latest return asked for.' }) returnNote: string | null;
  @Field(() => Date, { nullable: true, description: 'The latest supplement (补正).' }) supplementedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'Forwarded to the next level up.' }) forwardedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'Confirmed by the next level up.' }) confirmedAt: Date | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) note: string | null;
}

/** One ACTIVE dishonesty record in a repair notice: repairable or not (with the legal basis). */
@ObjectType()
export class RepairNoticeRecord {
  @Field(() => ID) recordId: string;
  @Field(() => String, { nullable: true }) indicator: string | null;
  @Field(() => String, { nullable: true }) level: string | null;
  @Field() repairable: boolean;
  @Field(() => String, { nullable: true, description: 'Why it may not be repaired, with the legal basis (in the caller’s language).' }) reason: string | null;
}

/** 信用修复告知书 (Art. 22): stored when the enterprise's official grade became C or D. */
@ObjectType()
export class RepairNotice {
  @Field(() => ID) id: string;
  @Field(() => String) grade: string;
  @Field() issuedAt: Date;
  @Field({ description: 'What the notice says (in the caller’s language; Chinese by default).' }) text: string;
  @Field({ description: 'How to apply: statement, evidence, signed commitment, where to apply.' }) how: string;
  @Field(() => [RepairNoticeRecord]) records: RepairNoticeRecord[];
}
