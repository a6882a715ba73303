import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { LetterDirection } from '../graphql-enums';
import { CreditLetter, CreditLetterConnection } from './credit-letter.type';
import { Authority, CreditRecord } from './credit-record.type';
import type { CreditLetterRow } from './credit-letter.repository';
import { LETTERS_PAGE, LetterPage, creditLetterService } from './credit-letter.service';
import { Audited } from '../audit/audited';

/** Art. 9 letters (函告) between the conduct region's and the registration region's water authorities. */
@Resolver(() => CreditLetter)
export class CreditLetterResolver {
  @Authorized(WRITERS)
  @Query(() => CreditLetterConnection, { description: "Letters to (INCOMING) or from (OUTGOING) your jurisdiction's authorities, newest first." })
  creditLetters(
    @Ctx() ctx: HubContext,
    @Arg('direction', () => LetterDirection, { nullable: true, defaultValue: 'INCOMING' }) direction: LetterDirection,
    @Arg('first', () => Int, { nullable: true, defaultValue: LETTERS_PAGE, description: 'Page size, 0–500 (default 20).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return creditLetterService.list(ctx, direction, first, after);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'credit_letter', id: 'id' })
  @Mutation(() => CreditLetter, { description: "The recipient's authority acknowledges a letter (已阅); the first reading is kept." })
  acknowledgeCreditLetter(@Ctx() ctx: HubContext, @Arg('id', () => ID) id: string) {
    return creditLetterService.acknowledge(ctx, id);
  }

  @FieldResolver(() => CreditRecord, { description: 'The record the letter is about.' })
  record(@Ctx() ctx: HubContext, @Root() l: CreditLetterRow) {
    return creditLetterService.record(ctx, l);
  }

  @FieldResolver(() => Authority, { description: 'The sender: the conduct region authority that determined the record.' })
  fromAuthority(@Root() l: CreditLetterRow) {
    return creditLetterService.fromAuthority(l);
  }

  @FieldResolver(() => Authority, { description: "The recipient: the registration region's authority." })
  toAuthority(@Root() l: CreditLetterRow) {
    return creditLetterService.toAuthority(l);
  }
}

@Resolver(() => CreditLetterConnection)
export class CreditLetterConnectionResolver {
  @FieldResolver(() => Int, { description: 'Letters matching the direction within your jurisdiction; counted only when selected.' })
  totalCount(@Ctx() ctx: HubContext, @Root() page: LetterPage) {
    return creditLetterService.count(ctx, page);
  }
}
