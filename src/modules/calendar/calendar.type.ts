import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A deadline on the official working-day calendar (start day not counted; the whole last day counts).', simpleResolvers: true })
export class Deadline {
  @Field({ description: 'The last day, YYYY-MM-DD, China Standard Time.' }) dueDate: string;
  @Field({ description: 'True while the official calendar of a year the deadline reaches into is not loaded.' }) provisional: boolean;
}
