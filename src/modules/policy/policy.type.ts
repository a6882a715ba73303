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
  description:
    'A class of dishonesty record that may not be repaired (Art. 24), with the legal basis a refusal names; a record matches when any given criterion does.',
  simpleResolvers: true,
})
export class UnrepairableCondition {
  @Field({ description: 'The refusal code (UPPER_SNAKE).' }) code: string;
  /** Resolved in the caller's language (policy-texts.resolver.ts). */
  description: Bilingual;
  /** Resolved in the caller's language (policy-texts.resolver.ts). */
  legalBasis: Bilingual;
  @Field(() => [String], { description: 'Indicator codes (e.g. 2.3) whose records may not be repaired; empty: any.' }) indicators: string[];
  @Field(() => [DishonestyLevel], { description: 'Dishonesty levels whose records may not be repaired; empty: any.' }) levels: DishonestyLevel[];
  @Field(() => [String], { description: "Phrases in the record's determination basis that make it unrepairable (e.g. 不可修复)." }) basisContains: string[];
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
  @Field(() => [UnrepairableCondition], { description: 'Art. 24: the records that may not be repaired, each with its legal basis.' })
  unrepairable: UnrepairableCondition[];
  /** Resolved in the caller's language (policy-texts.resolver.ts). */
  notes: Bilingual[];
}
