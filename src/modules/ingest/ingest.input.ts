import { Field, Float, InputType } from 'type-graphql';

@InputType()
export class ReadingInput {
  @Field() meterCode: string;
  @Field() readAt: Date;
  @Field(() => Float) cumulativeVolume: number;
  @Field(() => Float, { nullable: true }) flowRate?: number | null;
}
