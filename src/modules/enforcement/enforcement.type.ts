import { Field, Float, ID, ObjectType } from 'type-graphql';
import { DishonestyLevel } from '../graphql-enums';

@ObjectType({ description: '行政执法案件: an enforcement case on one indicator of an enterprise (workflows.md "Enforcement cases").', simpleResolvers: true })
export class EnforcementCase {
  @Field(() => ID) id: string;
  @Field({ description: '案号.' }) caseNo: string;
  @Field({ description: 'The indicator the case is about (e.g. 2.1).' }) indicator: string;
  @Field({ description: 'Where the conduct happened (GB/T 2260).' }) conductRegionCode: string;
  @Field() openedAt: Date;
  @Field(() => Date, { nullable: true }) closedAt: Date | null;
}

@ObjectType({ description: '责令整改通知书: a rectification notice with its deadline (the whole last day, China time).', simpleResolvers: true })
export class RectificationNotice {
  @Field(() => ID) id: string;
  @Field({ description: 'The notice number.' }) noticeNo: string;
  @Field() issuedAt: Date;
  @Field(() => Date, { nullable: true, description: 'When the enterprise complied (after the deadline it is still a missed notice).' }) compliedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When an officer recorded that it was not complied with by the deadline.' }) notCompliedAt: Date | null;
}

@ObjectType({ description: '罚款: a fine (行政处罚决定书), due 15 calendar days after service, rolled to the next working day.', simpleResolvers: true })
export class EnforcementFine {
  @Field(() => ID) id: string;
  @Field({ description: 'The penalty decision number.' }) decisionNo: string;
  @Field(() => Float, { nullable: true, description: 'Yuan.' }) amount: number | null;
  @Field() servedAt: Date;
  @Field(() => Date, { nullable: true }) paidAt: Date | null;
}

@ObjectType({ description: 'What the case establishes now (annex rows 1–6).', simpleResolvers: true })
export class EnforcementCaseOutcome {
  @Field(() => DishonestyLevel, {
    nullable: true,
    description: '一般 rectified as ordered / 较重 fined and rectified / 严重 fined and not rectified; null while nothing is established.',
  })
  level: DishonestyLevel | null;
  @Field({ description: 'Direct C: two notices missed in a row, a fine late, the next notice complied with in time (Art. 16(4)).' }) directC: boolean;
  @Field({ description: 'Direct D: three notices missed in a row and a fine late, on an indicator of areas 1, 2 or 5 (Art. 17(3)).' }) directD: boolean;
  @Field({ description: 'A fine was served.' }) fined: boolean;
  @Field({ description: 'A fine was not paid by its due date.' }) fineLate: boolean;
  @Field({ description: 'The last notice was complied with in time.' }) rectified: boolean;
  @Field(() => [String], { description: 'The longest run of consecutive notices missed, by number.' }) missedNotices: string[];
}
