import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CreditGrade } from '../graphql-enums';

@ObjectType({ simpleResolvers: true })
export class IndicatorScore {
  @Field() code: string;
  @Field() name: string;
  @Field(() => Int) maxScore: number;
  @Field(() => Int) score: number;
}

@ObjectType({ simpleResolvers: true })
export class CreditRating {
  @Field(() => ID) id: string;
  @Field(() => CreditGrade) grade: CreditGrade;
  @Field(() => Int) score: number;
  @Field() policyVersion: string;
  @Field() evaluatedAt: Date;
  @Field({ description: 'The date the evaluation was made for.' }) asOf: Date;
}
