import { Field, Int, ObjectType } from 'type-graphql';
import { CreditGrade, DishonestyLevel, HonorLevel } from '../graphql-enums';
import type { Bilingual } from './credit-policy';

@ObjectType({ description: 'One scored indicator of the annex table with the points each level leaves.', simpleResolvers: true })
export class PolicyIndicator {
  @Field() code: string;
  @Field() area: string;
  @Field() areaName: string;
  @Field() areaNameZh: string;
  @Field() name: string;
  @Field() nameZh: string;
  @Field(() => Int) maxScore: number;
  @Field(() => Int) general: number;
  @Field(() => Int) serious: number;
  @Field(() => Int, { nullable: true, description: 'Null where the indicator has no severe level (3.1, 4.1).' }) severe: number | null;
}

@ObjectType({ simpleResolvers: true })
export class GradeMeasures {
  @Field(() => CreditGrade) grade: CreditGrade;
  /** Resolved in the caller's language (policy-texts.resolver.ts). */
  measures: Bilingual[];
}

@ObjectType({
  description: 'A condition under which a dishonesty record may not be repaired (Art. 24), with the legal basis that says so.',
  simpleResolvers: true,
})
export class UnrepairableCondition {
  @Field() code: string;
  @Field(() => [String], { nullable: true, description: 'The indicators it covers; null: any.' }) indicators: string[] | null;
  @Field(() => [DishonestyLevel], { nullable: true, description: 'The levels it covers; null: any.' }) levels: DishonestyLevel[] | null;
  @Field(() => [String], { nullable: true, description: "Phrases of the record's determination basis that make it unrepairable; null: none." })
  basisContains: string[] | null;
  /** Resolved in the caller's language (policy-texts.resolver.ts). */
  description: Bilingual;
  legalBasis: Bilingual;
}

@ObjectType({ description: 'A versioned credit policy (schema/policies/*.json); evaluations name the one they applied.', simpleResolvers: true })
export class CreditPolicyInfo {
  @Field() version: string;
  @Field() title: string;
  @Field() titleEn: string;
  @Field({ description: 'True for a version shipped until the authority issues a successor.' }) assumedContinuation: boolean;
  @Field({ description: 'First day in force (YYYY-MM-DD, China Standard Time).' }) effectiveFrom: string;
  @Field({ description: 'Last day in force (inclusive).' }) effectiveTo: string;
  @Field() periodStart: Date;
  @Field({ description: 'Exclusive end of the evaluation period.' }) periodEnd: Date;
  @Field({ description: 'Honors awarded from here on count for A.' }) honorWindowStart: Date;
  @Field(() => HonorLevel) honorMinLevel: HonorLevel;
  @Field(() => Int) fullScore: number;
  @Field(() => Int, { description: 'Below this total the grade is D.' }) poorScore: number;
  @Field(() => [PolicyIndicator]) indicators: PolicyIndicator[];
  @Field(() => [GradeMeasures]) measures: GradeMeasures[];
  @Field(() => [UnrepairableCondition], { description: 'Records that may not be repaired (Art. 24): submitCreditRepair refuses them naming the legal basis.' })
  unrepairable: UnrepairableCondition[];
  /** Resolved in the caller's language (policy-texts.resolver.ts). */
  notes: Bilingual[];
}
