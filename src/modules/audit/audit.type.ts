import { JSONResolver as GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../../platform/graphql/connection';

/** One entry of the tamper-evident audit log, as the audit administrator reads it. */
@ObjectType({ simpleResolvers: true, description: '审计日志条目: one entry of the hash-chained audit log (read by AUDIT_ADMIN only).' })
export class AuditLogEntry {
  @Field(() => ID) id: string;
  @Field({ description: 'Position in the hash chain: gapless, from 1, in the order entries were written.' }) seq: string;
  @Field({ description: 'When the entry was written.' }) at: Date;
  @Field({ description: "The actor's token subject (never a personal name)." }) actor: string;
  @Field() actorRole: string;
  @Field({ description: 'The mutation, read or system action: `recordDishonesty`, `readPersonalData`, `readAuditLog`, …' }) action: string;
  @Field(() => String, { nullable: true }) targetType: string | null;
  @Field(() => String, { nullable: true }) targetId: string | null;
  @Field({ description: 'OK, or the error code that refused the action.' }) outcome: string;
  @Field(() => GraphQLJSON, { description: 'Codes, ids, levels and reasons; a long or unsafe string as {cut, sm3, length}.' }) detail: unknown;
  @Field({ description: 'The previous entry’s hash (64 zeros for the first).' }) prevHash: string;
  @Field({ description: 'SM3(prevHash ‖ canonical fields), hex: `hub audit verify` recomputes it.' }) hash: string;
}

@ObjectType({ simpleResolvers: true })
export class AuditLogEntryConnection extends Connection(AuditLogEntry) {}

@InputType({ description: 'Which audit entries: every field optional, all given ones must match.' })
export class AuditLogFilter {
  @Field(() => Date, { nullable: true, description: 'Written at or after.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Written before.' }) to?: Date | null;
  @Field(() => String, { nullable: true, description: "The actor's token subject." }) actor?: string | null;
  @Field(() => String, { nullable: true }) actorRole?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, { nullable: true }) targetType?: string | null;
  @Field(() => String, { nullable: true }) targetId?: string | null;
  @Field(() => String, { nullable: true, description: 'OK or an error code.' }) outcome?: string | null;
}
