import { Field, ID, ObjectType } from 'type-graphql';
import { AuthorityKind, AwardingBodyKind, CreditRecordKind, CreditRecordStatus, DishonestyLevel, HonorCategory, HonorLevel, SourceAct } from '../graphql-enums';

/** A water authority (水行政主管部门) by its region: what the public sees of who determined a record, never an officer. */
@ObjectType({ simpleResolvers: true })
export class Authority {
  @Field({ description: 'Its region (GB/T 2260).' }) regionCode: string;
  @Field(() => AuthorityKind) kind: AuthorityKind;
  @Field({ description: 'e.g. 平泉市水行政主管部门.' }) nameZh: string;
}

@ObjectType({ simpleResolvers: true })
export class CreditRecord {
  @Field(() => ID) id: string;
  @Field(() => CreditRecordKind) kind: CreditRecordKind;
  @Field(() => String, { nullable: true, description: 'Indicator code for a dishonesty record; null for an honor.' }) indicator: string | null;
  @Field(() => DishonestyLevel, { nullable: true }) level: DishonestyLevel | null;
  @Field(() => HonorLevel, { nullable: true }) honorLevel: HonorLevel | null;
  @Field(() => String, { nullable: true }) title: string | null;
  @Field({ description: 'When the conduct happened (dishonesty) or the honor was awarded.' }) occurredAt: Date;
  @Field(() => String, { nullable: true, description: 'Legal basis / benchmark applied by the determining authority.' }) basis: string | null;
  @Field(() => CreditRecordStatus) status: CreditRecordStatus;
  @Field(() => String, { nullable: true, description: 'Why the status last changed (repair decision, upheld objection).' }) statusReason: string | null;
  @Field() createdAt: Date;
  @Field({ description: '认定日期: when the authority determined the record (Art. 7: filing upward is due 7 working days after).' }) determinedAt: Date;
  @Field(() => SourceAct, { description: 'The act the record follows from (Art. 11).' }) sourceAct: SourceAct;
  @Field(() => String, { nullable: true, description: 'Document number of the source act, e.g. 承水罚〔2026〕12号.' }) sourceDocumentNo: string | null;
  @Field({ description: 'Where the conduct happened (Art. 9); the enterprise may be registered elsewhere.' }) conductRegionCode: string;
  @Field(() => HonorCategory, { nullable: true, description: 'Honors: Art. 10 category; null on honors entered before categories (to be completed).' })
  honorCategory: HonorCategory | null;
  @Field(() => String, { nullable: true, description: 'Honors: who awarded it.' }) awardingBody: string | null;
  @Field(() => AwardingBodyKind, { nullable: true, description: 'Honors: the kind of awarding body.' }) awardingBodyKind: AwardingBodyKind | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Honors: awarded by a government department, derived from awardingBodyKind; null when unknown, which never counts for A (Art. 14).',
  })
  awardedByGovernment: boolean | null;
  @Field(() => String, { nullable: true, description: 'Honors: the award decision number.' }) awardDocumentNo: string | null;
  @Field(() => String, { nullable: true, description: "Honors: the water authority's recognition decision (OTHER_RECOGNISED)." })
  recognitionDocumentNo: string | null;
}
