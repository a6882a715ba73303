import { Field, InputType } from 'type-graphql';

@InputType()
export class EnterpriseInput {
  @Field() creditCode: string;
  @Field() name: string;
  @Field() regionCode: string;
  @Field(() => String, { nullable: true }) industry?: string | null;
  @Field(() => String, { nullable: true }) legalRepresentative?: string | null;
  @Field(() => String, { nullable: true }) contactPhone?: string | null;
  @Field(() => String, { nullable: true, description: "Legal representative's ID number (personal data)." }) legalRepresentativeIdNumber?: string | null;
}
