import { JSONResolver as GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { AnomalyKind, CandidateOrigin, CandidateStatus, DishonestyLevel } from '../graphql-enums';
import { Connection } from '../../platform/graphql/connection';

@ObjectType({ simpleResolvers: true })
export class CandidateViolation {
  @Field(() => ID) id: string;
  @Field(() => AnomalyKind) kind: AnomalyKind;
  @Field({ description: 'Indicator code of the credit policy, e.g. 2.3.' }) indicator: string;
  @Field(() => DishonestyLevel) suggestedLevel: DishonestyLevel;
  @Field(() => CandidateStatus) status: CandidateStatus;
  @Field() detectedAt: Date;
  @Field(() => GraphQLJSON, { description: 'The readings, windows and thresholds that triggered it.' }) evidence: unknown;
  @Field(() => String, { nullable: true }) resolutionNote: string | null;
  @Field(() => CandidateOrigin, { description: 'DETECTION (meter data) or TIP (a verified tip, Art. 8).' }) origin: CandidateOrigin;
  @Field(() => ID, { nullable: true, description: 'The tip that raised it (origin TIP): read it with `tip(id)` (supervising authorities).' })
  tipId: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CandidateViolationConnection extends Connection(CandidateViolation) {}
