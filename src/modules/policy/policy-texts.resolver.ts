import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { HubContext } from '../context';
import { Lang } from '../graphql-enums';
import { textIn } from '../../platform/lang';
import { CreditPolicyInfo, GradeMeasures, UnrepairableCondition } from './policy.type';

/** A policy's measures (Art. 18–21, Chinese verbatim) in the caller's language. */
@Resolver(() => GradeMeasures)
export class GradeMeasuresResolver {
  @FieldResolver(() => [String], {
    description: "The measures item by item, in `lang` (default: the request's Accept-Language; Chinese unless English is preferred).",
  })
  measures(@Ctx() ctx: HubContext, @Root() g: GradeMeasures, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null): string[] {
    return g.measures.map((m) => textIn(lang ?? ctx.lang, m));
  }
}

/** A policy's notes in the caller's language. */
@Resolver(() => CreditPolicyInfo)
export class PolicyNotesResolver {
  @FieldResolver(() => [String], {
    description: 'Where the implementation reads the original text, and why, in `lang` (default: Accept-Language, Chinese first).',
  })
  notes(@Ctx() ctx: HubContext, @Root() p: CreditPolicyInfo, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null): string[] {
    return p.notes.map((n) => textIn(lang ?? ctx.lang, n));
  }
}

/** An unrepairable condition's texts in the caller's language. */
@Resolver(() => UnrepairableCondition)
export class UnrepairableConditionResolver {
  @FieldResolver(() => String, { description: 'What it covers, in `lang` (default: Accept-Language, Chinese first).' })
  description(@Ctx() ctx: HubContext, @Root() u: UnrepairableCondition, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null): string {
    return textIn(lang ?? ctx.lang, u.description);
  }

  @FieldResolver(() => String, { description: 'The legal basis that bars the repair, in `lang`.' })
  legalBasis(@Ctx() ctx: HubContext, @Root() u: UnrepairableCondition, @Arg('lang', () => Lang, { nullable: true }) lang?: Lang | null): string {
    return textIn(lang ?? ctx.lang, u.legalBasis);
  }
}
