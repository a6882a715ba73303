import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class RejectedReading {
  @Field(() => Int) index: number;
  @Field() reason: string;
}

@ObjectType({ simpleResolvers: true })
export class IngestResult {
  @Field(() => Int) accepted: number;
  @Field(() => Int) duplicates: number;
  @Field(() => [RejectedReading]) rejected: RejectedReading[];
}
