import { Field, Float, ID, ObjectType } from 'type-graphql';
import { PermitRevocationKind } from '../graphql-enums';

@ObjectType({ simpleResolvers: true })
export class WaterPermit {
  @Field(() => ID) id: string;
  @Field() permitNo: string;
  @Field() validFrom: Date;
  @Field() validTo: Date;
  @Field(() => Float, { description: 'Permitted withdrawal per year, cubic metres.' }) annualQuota: number;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the permit was revoked.' }) revocationReason: string | null;
  @Field(() => PermitRevocationKind, { nullable: true, description: '吊销 / 注销 / 撤回; null while the permit was not ended early.' })
  revocationKind: PermitRevocationKind | null;
  @Field(() => Date, { nullable: true, description: 'When the revocation was annulled on review (行政复议/诉讼): void from the start.' })
  annulledAt: Date | null;
  @Field(() => String, { nullable: true, description: 'The review decision or judgment that annulled it.' }) annulmentReason: string | null;
}
