import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Annual planned water use issued by the authority, cubic metres.', simpleResolvers: true })
export class WaterPlan {
  @Field(() => ID) id: string;
  @Field(() => Int) year: number;
  @Field(() => Float) plannedVolume: number;
}
