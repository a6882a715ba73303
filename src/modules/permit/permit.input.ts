import { Field, Float, InputType } from 'type-graphql';

@InputType()
export class PermitInput {
  @Field() creditCode: string;
  @Field() permitNo: string;
  @Field() validFrom: Date;
  @Field() validTo: Date;
  @Field(() => Float) annualQuota: number;
}
