import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { ReadingInput } from './ingest.input';
import { IngestResult } from './ingest.type';
import { ingestService } from './ingest.service';
import { Audited } from '../audit/audited';

@Resolver()
export class IngestResolver {
  @Authorized(WRITERS)
  @Audited({ target: 'meter_reading', detail: [['readings', 'readings.length']] })
  @Mutation(() => IngestResult, {
    description:
      'Idempotent: a reading already stored for the same meter and time counts as a duplicate. Bad rows are rejected with a reason; the rest are stored.',
  })
  ingestReadings(@Ctx() ctx: HubContext, @Arg('readings', () => [ReadingInput]) readings: ReadingInput[]) {
    return ingestService.ingestReadings(ctx, readings);
  }
}
