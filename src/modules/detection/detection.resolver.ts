import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { WRITERS } from '../../platform/auth/auth-checker';
import { HubContext } from '../context';
import { Audited } from '../audit/audited';
import { CandidateViolation } from '../candidate/candidate.type';
import { detectionService } from './detection.service';

/** Detection on demand; the scheduled runs are the detect job's. */
@Resolver()
export class DetectionResolver {
  @Authorized(WRITERS)
  @Audited({ target: 'enterprise', id: 'creditCode', detail: ['asOf', ['candidates', 'result.length']] })
  @Mutation(() => [CandidateViolation], {
    description:
      'Runs every detection rule for the meters of one enterprise (or all in your jurisdiction, when null) as of a time; returns the candidates raised or refreshed.',
  })
  detectAnomalies(
    @Ctx() ctx: HubContext,
    @Arg('creditCode', () => String, { nullable: true }) creditCode?: string | null,
    @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null,
  ) {
    return detectionService.detectAnomalies(ctx, creditCode, asOf);
  }
}
