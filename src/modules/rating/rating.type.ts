import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CreditGrade } from '../graphql-enums';

@ObjectType({ simpleResolvers: true })
export class IndicatorScore {
  @Field() code: string;
  @Field() name: string;
  @Field(() => Int) maxScore: number;
  @Field(() => Int) score: number;
}

@ObjectType({ description: 'A reason for a grade: the clause that applied (Chinese citation) and the reason in Chinese and English.', simpleResolvers: true })
export class Reason {
  @Field(() => String, {
    nullable: true,
    description: 'The clause that applied, cited the Chinese way (第十七条第（一）项); null when none alone decides (C by elimination).',
  })
  clause: string | null;
  @Field() zh: string;
  @Field() en: string;
}

@ObjectType({ simpleResolvers: true })
export class CreditRating {
  @Field(() => ID, { description: 'A stored rating id, or what-if:<uuid> for a what-if evaluation (never stored).' }) id: string;
  @Field(() => CreditGrade) grade: CreditGrade;
  @Field(() => Int) score: number;
  @Field() policyVersion: string;
  @Field() evaluatedAt: Date;
  @Field({ description: 'The date the evaluation was made for.' }) asOf: Date;
  @Field({
    description:
      'An evaluation result (综合评价结果, Art. 16(2)): made at the time and stored. False for a what-if (a past asOf), which is shown, never stored, never current, never published and never counted as a D episode.',
  })
  official: boolean;
}
