import { Field, Float, InputType, Int } from 'type-graphql';

@InputType()
export class PlanInput {
  @Field() creditCode: string;
  @Field(() => Int) year: number;
  @Field(() => Float) plannedVolume: number;
}
