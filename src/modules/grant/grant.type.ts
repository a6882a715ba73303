import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { GrantScope, Role } from '../graphql-enums';
import { Connection } from '../../platform/graphql/connection';

/** A written authorisation (书面授权, Art. 23); `status` is resolved in grant.resolver.ts. */
@ObjectType({ simpleResolvers: true, description: '书面授权 (Art. 23): the enterprise lets a named party read its evaluation result.' })
export class ResultGrant {
  @Field(() => ID) id: string;
  @Field(() => String, { nullable: true, description: 'The token subject (`sub`) the grant names; null when it names an agency only.' })
  granteeSubject: string | null;
  @Field(() => String, { nullable: true, description: "The agency name (the token's `agency`) the grant names; null when it names a subject only." })
  granteeAgency: string | null;
  @Field(() => GrantScope) scope: GrantScope;
  @Field({ description: '查询用途: why the grantee may read.' }) purpose: string;
  @Field({ description: 'Valid from this instant (inclusive).' }) validFrom: Date;
  @Field({ description: 'Valid until this instant (exclusive).' }) validUntil: Date;
  @Field() grantedAt: Date;
  @Field(() => Date, { nullable: true, description: 'When the enterprise revoked it (no read relies on it from then on).' }) revokedAt: Date | null;
}

@InputType({ description: 'Whom a grant names: a token subject, an agency name, or both (then both must match). Never the public.' })
export class GranteeInput {
  @Field(() => String, { nullable: true, description: "The grantee's token subject (`sub`)." }) subject?: string | null;
  @Field(() => String, { nullable: true, description: "The grantee's agency (a PARTNER_AGENCY token's `agency`)." }) agency?: string | null;
}

@InputType({ description: 'A written authorisation (Art. 23), given by the enterprise itself.' })
export class ResultGrantInput {
  @Field({ description: "The enterprise's unified social credit code (your own)." }) creditCode: string;
  @Field(() => GranteeInput) grantee: GranteeInput;
  @Field(() => GrantScope) scope: GrantScope;
  @Field({ description: '查询用途 (required, at most 500 characters).' }) purpose: string;
  @Field(() => Date, { nullable: true, description: 'Default now; at most a year ahead.' }) validFrom?: Date | null;
  @Field({ description: 'After validFrom, in the future, at most 366 days after validFrom.' }) validUntil: Date;
}

/** One logged read of an enterprise's result. */
@ObjectType({ simpleResolvers: true, description: 'A read of the evaluation result by someone other than the enterprise (Art. 23 read log).' })
export class ResultRead {
  @Field(() => ID) id: string;
  @Field({ description: "The reader's token subject." }) readerSubject: string;
  @Field(() => Role, { nullable: true, description: "The reader's role; null for a role since retired (ADMIN, before 三员分立): see readerRoleName." })
  readerRole: Role | null;
  @Field({ description: "The reader's role as recorded, retired roles included (ADMIN)." }) readerRoleName: string;
  @Field(() => String, { nullable: true }) readerAgency: string | null;
  @Field(() => ID, { nullable: true, description: "The grant the read relied on; null for a read within the reader's own remit." }) grantId: string | null;
  @Field({ description: "The grant's purpose, or the purpose the reader stated (X-Purpose), or its role's default." }) purpose: string;
  @Field(() => [String], { description: 'What was read: rating, ratingHistory, creditRecords.' }) fields: string[];
  @Field() readAt: Date;
}

@ObjectType({ simpleResolvers: true })
export class ResultReadConnection extends Connection(ResultRead) {}
