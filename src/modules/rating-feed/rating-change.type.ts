import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CreditGrade } from '../graphql-enums';
import { Enterprise } from '../enterprise/enterprise.type';
import { CreditRating } from '../rating/rating.type';

@ObjectType({ simpleResolvers: true })
export class RatingChange {
  @Field(() => Enterprise) enterprise: Enterprise;
  @Field(() => CreditRating) rating: CreditRating;
  @Field(() => CreditGrade, { nullable: true }) previousGrade: CreditGrade | null;
  @Field(() => CreditGrade) grade: CreditGrade;
  @Field() changedAt: Date;
  @Field(() => ID, { description: 'Unique per change, the same however often it is delivered: deduplicate by it.' }) eventId: string;
  @Field(() => Int, { description: "The enterprise's change number (1, 2, 3…): a gap means a missed change, order by it." }) sequence: number;
}
