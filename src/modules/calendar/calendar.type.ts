import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A deadline on the official working-day calendar (start day not counted; the whole last day counts).', simpleResolvers: true })
export class Deadline {
  @Field({ description: 'The last day, YYYY-MM-DD, China Standard Time.' }) dueDate: string;
  @Field({ description: 'True while the official calendar of a year the deadline reaches into is not loaded.' }) provisional: boolean;
}

@ObjectType({ description: "A year's official working-day calendar as an administrator loaded it (the State Council notice).", simpleResolvers: true })
export class CalendarYear {
  @Field(() => Int) year: number;
  @Field(() => [String], { description: 'Holidays, YYYY-MM-DD.' }) holidays: string[];
  @Field(() => [String], { description: 'Adjusted working days (调休) on a weekend, YYYY-MM-DD.' }) workdays: string[];
  @Field({ description: 'Who loaded it (token subject).' }) loadedBy: string;
  @Field() loadedAt: Date;
}
