import { Field, InputType } from 'type-graphql';
import { DishonestyLevel, HonorLevel } from '../graphql-enums';

@InputType()
export class DishonestyInput {
  @Field() creditCode: string;
  @Field() indicator: string;
  @Field(() => DishonestyLevel) level: DishonestyLevel;
  @Field() occurredAt: Date;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) basis?: string | null;
}

@InputType()
export class HonorInput {
  @Field() creditCode: string;
  @Field() title: string;
  @Field(() => HonorLevel) level: HonorLevel;
  @Field() awardedAt: Date;
  @Field(() => Boolean, { nullable: true, description: 'Awarded by a government department (default true); only those count for A (Art. 14).' })
  governmentAward?: boolean | null;
}
