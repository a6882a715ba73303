import { Field, Float, InputType, Int } from 'type-graphql';

@InputType()
export class MeterInput {
  @Field() creditCode: string;
  @Field() meterCode: string;
  @Field() online: boolean;
  @Field(() => Int) level: number;
  @Field(() => Int, { nullable: true }) reportingIntervalSeconds?: number | null;
  @Field(() => Float, { nullable: true }) maxFlowRate?: number | null;
  @Field(() => Date, { nullable: true }) calibrationExpiresAt?: Date | null;
}
