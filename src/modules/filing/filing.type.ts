import { Field, ID, Int, ObjectType } from 'type-graphql';
import { FilingSubject, PlatformPushState, PlatformPushSubject } from '../graphql-enums';

/** A filing with the next level up (备案, Art. 7); `due`, `overdue`, `determiningAuthority` and `filedWith` are resolved in filing.resolver.ts. */
@ObjectType({ simpleResolvers: true })
export class Filing {
  @Field(() => ID) id: string;
  @Field(() => FilingSubject) subjectKind: FilingSubject;
  @Field(() => ID) recordId: string;
  @Field(() => ID, { nullable: true, description: 'The approved credit repair, for a REPAIR_DECISION filing.' }) repairId: string | null;
  @Field({ description: 'When the determination (or repair decision) was made: the 7 working days run from it.' }) determinedAt: Date;
  @Field(() => Date, { nullable: true }) acknowledgedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'The officer (token subject) of the upper level who acknowledged it.' }) acknowledgedBy: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Acknowledged after the due date; null while open.' }) late: boolean | null;
}

/** Where a record's push to the city credit platform stands. */
@ObjectType({ simpleResolvers: true })
export class PlatformPush {
  @Field(() => PlatformPushSubject, { description: 'What it reports.' }) subjectKind: PlatformPushSubject;
  @Field(() => PlatformPushState) state: PlatformPushState;
  @Field(() => Int, { description: 'Attempts made so far.' }) attempts: number;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (HTTP status or network error); null once delivered.' }) lastError:
    string | null;
  @Field(() => String, { nullable: true, description: "The platform's receipt id (回执)." }) receipt: string | null;
  @Field(() => Date, { nullable: true }) pushedAt: Date | null;
  @Field({ description: 'When it was queued (with the determination).' }) createdAt: Date;
}
