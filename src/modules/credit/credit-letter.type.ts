import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../platform/graphql/connection';

/** An Art. 9 letter (函告): the conduct region's authority tells the registration region's of a record it determined. */
@ObjectType({ simpleResolvers: true })
export class CreditLetter {
  @Field(() => ID) id: string;
  @Field({ description: 'e.g. 关于XX有限公司失信信息认定情况的函.' }) subject: string;
  @Field({ description: 'The letter in Chinese; names the enterprise (a public register fact), never a person.' }) body: string;
  @Field() sentAt: Date;
  @Field(() => Date, { nullable: true, description: "When the recipient's authority acknowledged it (acknowledgeCreditLetter)." }) readAt: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CreditLetterConnection extends Connection(CreditLetter) {}
