import { JSONResolver as GraphQLJSON } from 'graphql-scalars';
import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class DataSourceInput {
  @Field() name: string;
  @Field() connector: string;
  @Field(() => GraphQLJSON) config: unknown;
  @Field(() => Int, { nullable: true }) everyMs?: number | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}
