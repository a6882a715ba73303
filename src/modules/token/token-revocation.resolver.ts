import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { Audited } from '../audit/audited';
import type { HubContext } from '../context';
import { tokenRevocationService } from './token-revocation.service';
import { RevocationReason, TokenRevocation } from './token-revocation.type';

/** Token revocation: the security administrator's (安全管理员). */
@Resolver()
export class TokenRevocationResolver {
  @Authorized(['SECURITY_ADMIN'])
  @Audited({ target: 'token', id: 'jti', detail: ['reason', ['until', 'result.until'], ['revocationId', 'result.id']] })
  @Mutation(() => TokenRevocation, {
    description:
      '吊销一个令牌（按 jti）：此后携带它的请求被拒绝（UNAUTHENTICATED），已打开的 WebSocket 以 4403 关闭。 / Revokes one token by its jti: requests with it are refused, its open sockets close (4403).',
  })
  revokeToken(
    @Ctx() ctx: HubContext,
    @Arg('jti') jti: string,
    @Arg('reason', () => RevocationReason) reason: RevocationReason,
    @Arg('until', () => Date, { nullable: true, description: 'In force until then; default 30 days ahead.' }) until?: Date | null,
  ) {
    return tokenRevocationService.revokeToken(ctx, jti, reason, until);
  }

  @Authorized(['SECURITY_ADMIN'])
  @Audited({ target: 'token_subject', id: 'subject', detail: ['reason', ['revocationId', 'result.id']] })
  @Mutation(() => TokenRevocation, {
    description:
      '吊销某一主体至今签发的全部令牌；之后重新登录取得的令牌有效。 / Revokes every token of a subject issued up to now; a new sign-in afterwards works.',
  })
  revokeTokensOf(@Ctx() ctx: HubContext, @Arg('subject') subject: string, @Arg('reason', () => RevocationReason) reason: RevocationReason) {
    return tokenRevocationService.revokeTokensOf(ctx, subject, reason);
  }
}
