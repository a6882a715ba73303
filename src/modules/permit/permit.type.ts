import { Field, Float, ID, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class WaterPermit {
  @Field(() => ID) id: string;
  @Field() permitNo: string;
  @Field() validFrom: Date;
  @Field() validTo: Date;
  @Field(() => Float, { description: 'Permitted withdrawal per year, cubic metres.' }) annualQuota: number;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the permit was revoked.' }) revocationReason: string | null;
}
