import { Field, ID, ObjectType } from 'type-graphql';
import { CreditRecordKind, CreditRecordStatus, DishonestyLevel, HonorLevel } from '../graphql-enums';

@ObjectType({ simpleResolvers: true })
export class CreditRecord {
  @Field(() => ID) id: string;
  @Field(() => CreditRecordKind) kind: CreditRecordKind;
  @Field(() => String, { nullable: true, description: 'Indicator code for a dishonesty record; null for an honor.' }) indicator: string | null;
  @Field(() => DishonestyLevel, { nullable: true }) level: DishonestyLevel | null;
  @Field(() => HonorLevel, { nullable: true }) honorLevel: HonorLevel | null;
  @Field(() => String, { nullable: true }) title: string | null;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field({ description: 'When the conduct happened (dishonesty) or the honor was awarded.' }) occurredAt: Date;
  @Field(() => String, { nullable: true, description: 'Legal basis / benchmark applied by the determining authority.' }) basis: string | null;
  @Field(() => CreditRecordStatus) status: CreditRecordStatus;
  @Field(() => String, { nullable: true, description: 'Why the status last changed (repair decision, upheld objection).' }) statusReason: string | null;
  @Field({ description: 'Honors: awarded by a government department (Art. 14 requires one for A).' }) governmentAward: boolean;
  @Field({ description: 'The officer or system that determined the record (Art. 7, 29).' }) determinedBy: string;
  @Field() createdAt: Date;
}
