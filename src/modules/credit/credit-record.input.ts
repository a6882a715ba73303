import { Field, InputType, Int } from 'type-graphql';
import { DishonestyLevel, HonorLevel } from '../graphql-enums';

@InputType()
export class DishonestyInput {
  @Field() creditCode: string;
  @Field() indicator: string;
  @Field(() => DishonestyLevel) level: DishonestyLevel;
  @Field() occurredAt: Date;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) basis?: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Consecutive rectification notices not complied with (annex item 6): 2 → direct C, 3 in areas 1, 2, 5 → direct D.',
  })
  unheededNotices?: number | null;
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
