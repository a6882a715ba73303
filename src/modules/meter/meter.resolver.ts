import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { badInput } from '../../platform/errors';
import { Enterprise } from '../enterprise/enterprise.type';
import { MeterInput } from './meter.input';
import { Meter, MeterReading } from './meter.type';
import { parentEnterprise } from '../enterprise/enterprise-parent';
import type { MeterRow, ReadingRow } from './meter.repository';
import { meterService } from './meter.service';
import { Audited } from '../audit/audited';
import { pageSize } from '../../platform/graphql/connection';

/** `Meter.readings` page size when `first` is left out or null: in the schema as the default, so the cost limit prices it. */
const READINGS_PAGE = 100;

@Resolver(() => Meter)
export class MeterResolver {
  @Query(() => Meter, { nullable: true })
  meter(@Ctx() ctx: HubContext, @Arg('meterCode') meterCode: string) {
    return meterService.get(ctx, meterCode);
  }

  @Authorized(WRITERS)
  @Audited({ target: 'meter', id: 'input.meterCode', detail: ['input.creditCode', 'input.online', 'input.level'] })
  @Mutation(() => Meter)
  registerMeter(@Ctx() ctx: HubContext, @Arg('input', () => MeterInput) input: MeterInput) {
    return meterService.register(ctx, input);
  }

  @FieldResolver(() => Enterprise)
  enterprise(@Ctx() ctx: HubContext, @Root() m: MeterRow) {
    return parentEnterprise(ctx, m);
  }

  @FieldResolver(() => [MeterReading], { description: 'Readings in [from, to), newest first; first defaults to 100 (max 10,000).' })
  readings(
    @Ctx() ctx: HubContext,
    @Root() m: MeterRow,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: READINGS_PAGE }) first?: number | null,
  ) {
    const n = pageSize(first, READINGS_PAGE, 10_000);
    if (from && to && to <= from) throw badInput('to must be after from', 'to');
    return ctx.loaders.readings(m.id, { from: from ?? null, to: to ?? null, first: n });
  }
}

@Resolver(() => MeterReading)
export class MeterReadingResolver {
  @FieldResolver(() => Meter)
  async meter(@Ctx() ctx: HubContext, @Root() r: ReadingRow) {
    return ctx.loaders.meter.load(r.meterId);
  }
}
