import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Opens an enforcement case (行政执法案件) on one indicator of an enterprise.' })
export class OpenEnforcementCaseInput {
  @Field() creditCode: string;
  @Field({ description: 'Indicator code of the policy in force when the case was opened (e.g. 2.1).' }) indicator: string;
  @Field({ description: 'The case number (案号), unique.' }) caseNo: string;
  @Field() openedAt: Date;
  @Field(() => String, {
    nullable: true,
    description: "Where the conduct happened (GB/T 2260); default the enterprise's registration region. Must lie in your jurisdiction.",
  })
  conductRegionCode?: string | null;
}
