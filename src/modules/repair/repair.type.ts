import { Field, ID, ObjectType } from 'type-graphql';
import { RepairStatus } from '../graphql-enums';
import { CreditRecord } from './credit-record.type';
import { Deadline } from '../calendar/calendar.type';

@ObjectType({ simpleResolvers: true })
export class CreditRepair {
  @Field(() => ID) id: string;
  @Field(() => CreditRecord) record: CreditRecord;
  @Field(() => RepairStatus) status: RepairStatus;
  @Field() statement: string;
  @Field() submittedAt: Date;
  @Field(() => Date, { nullable: true, description: 'Decision deadline: 3 working days after confirmation (Chinese official calendar).' })
  decisionDueAt: Date | null;
  @Field(() => Deadline, { nullable: true, description: 'The same deadline as a calendar day, with its provisional flag; null until confirmed.' })
  decisionDue: Deadline | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) note: string | null;
}
