import { Field, InputType } from 'type-graphql';
import { AwardingBodyKind, DishonestyLevel, HonorCategory, HonorLevel, SourceAct } from '../graphql-enums';

/** Provenance of a determination (Art. 7, 11), shared by a typed record and a confirmed candidate. */
@InputType({ description: 'Where a determination comes from (Art. 7, 11): its date, the enforcement act and its document, the public summary.' })
export class ProvenanceInput {
  @Field(() => Date, { nullable: true, description: '认定日期: default now; never in the future, never before the conduct.' })
  determinedAt?: Date | null;
  @Field(() => SourceAct, { nullable: true, description: 'The act the record follows from (default OTHER).' }) sourceAct?: SourceAct | null;
  @Field(() => String, { nullable: true, description: 'Its document number, e.g. 承水罚〔2026〕12号.' }) sourceDocumentNo?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'What the public sees instead of the description (Art. 7: no trade secret, no personal data); default generated from indicator, level and date.',
  })
  publicSummary?: string | null;
}

/** A typed determination: the contract's fields, the conduct region (Art. 9) and the provenance fields it inherits. */
@InputType()
export class DishonestyInput extends ProvenanceInput {
  @Field() creditCode: string;
  @Field() indicator: string;
  @Field(() => DishonestyLevel) level: DishonestyLevel;
  @Field() occurredAt: Date;
  @Field(() => String, { nullable: true, description: 'Internal description of the conduct: only the authorities and the enterprise see it.' })
  description?: string | null;
  @Field(() => String, { nullable: true, description: 'Legal basis / benchmark applied: REQUIRED (BAD_USER_INPUT when missing or blank).' })
  basis?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Where the conduct happened (GB/T 2260), default the enterprise's registration region. Art. 9: an authority covering it may determine for an enterprise registered elsewhere; a letter (函告) then goes to the registration region.",
  })
  conductRegionCode?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "The water permit whose penalty revocation (吊销) this record carries: repairing the record (credit repair, Art. 24) lifts that permit's direct D. The permit must be the enterprise's and revoked as a penalty (not annulled).",
  })
  permitNo?: string | null;
}

@InputType()
export class HonorInput {
  @Field() creditCode: string;
  @Field() title: string;
  @Field(() => HonorLevel) level: HonorLevel;
  @Field() awardedAt: Date;
  @Field(() => HonorCategory, { nullable: true, description: 'Art. 10 category; OTHER_RECOGNISED needs recognitionDocumentNo.' })
  category?: HonorCategory | null;
  @Field(() => String, { nullable: true, description: 'Who awarded it, e.g. 承德市水务局.' }) awardingBody?: string | null;
  @Field(() => AwardingBodyKind, {
    nullable: true,
    description: 'Kind of awarding body: only GOVERNMENT_DEPARTMENT counts for A (Art. 14); without it the hub does not know (never assumed).',
  })
  awardingBodyKind?: AwardingBodyKind | null;
  @Field(() => String, { nullable: true, description: 'The award decision number.' }) awardDocumentNo?: string | null;
  @Field(() => String, { nullable: true, description: "The water authority's recognition decision (required for OTHER_RECOGNISED)." })
  recognitionDocumentNo?: string | null;
}
