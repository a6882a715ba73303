import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

/** Why a token was revoked: a code, never free text (it is on the audit trail). */
export const REVOCATION_REASONS = ['COMPROMISED', 'LEFT_POST', 'ROLE_CHANGED', 'DEVICE_LOST', 'OTHER'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
export const RevocationReason = Object.fromEntries(REVOCATION_REASONS.map((r) => [r, r])) as { readonly [K in RevocationReason]: K };
registerEnumType(RevocationReason, {
  name: 'RevocationReason',
  description: '吊销令牌的原因 / Why a token is revoked',
  valuesConfig: {
    COMPROMISED: { description: '令牌泄露或疑似泄露 / The token leaked or may have' },
    LEFT_POST: { description: '持有人离岗 / Its holder left the post' },
    ROLE_CHANGED: { description: '角色或管辖范围变更 / Its role or jurisdiction changed' },
    DEVICE_LOST: { description: '设备丢失 / The device holding it was lost' },
    OTHER: { description: '其他 / Other' },
  },
});

@ObjectType({ description: 'A revoked token (by jti) or the revoked tokens of a subject (issued up to revokedAt).', simpleResolvers: true })
export class TokenRevocation {
  @Field(() => ID) id: string;
  @Field(() => String, { nullable: true, description: 'The revoked token’s id (jti).' }) jti: string | null;
  @Field(() => String, { nullable: true, description: 'The subject whose tokens issued up to revokedAt are revoked.' }) subject: string | null;
  @Field(() => RevocationReason) reason: RevocationReason;
  @Field({ description: 'Who revoked (token subject).' }) revokedBy: string;
  @Field() revokedAt: Date;
  @Field({ description: 'In force until then (past the longest lifetime of the tokens concerned).' }) until: Date;
}
