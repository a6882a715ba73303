import { Field, ID, ObjectType } from 'type-graphql';
import { RepairStatus } from '../graphql-enums';

/** A credit repair application (信用修复, Art. 22, 24, 25); `record`, `decisionDueAt` and `decisionDue` are resolved in repair.resolver.ts. */
@ObjectType({ simpleResolvers: true })
export class CreditRepair {
  @Field(() => ID) id: string;
  @Field(() => RepairStatus) status: RepairStatus;
  @Field() statement: string;
  @Field() submittedAt: Date;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) note: string | null;
}
