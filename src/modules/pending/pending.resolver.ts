import { Arg, ID, Mutation, Resolver } from 'type-graphql';
import { HubError } from '../../platform/errors';
import { CreditRepair } from '../credit/credit-repair.type';
import { Audited } from '../audit/audited';

const AT = 'When the step happened (default now; never in the future, never before the previous step).';
const REPAIR = 'the credit repair workflow (issue 10; status changes go through setCreditRecordStatus meanwhile)';

/** Contract operations whose capability has not landed: present in the schema, refusing clearly. */
function notYet(operation: string, arrivesWith: string): never {
  throw new HubError('NOT_IMPLEMENTED', `${operation} is part of the public contract but arrives with ${arrivesWith}.`, { operation });
}

/**
 * The contract's operations for credit repair. Each answers NOT_IMPLEMENTED naming the issue that brings it, so
 * clients can build against the full contract today and nobody mistakes a gap for data.
 */
@Resolver()
export class PendingResolver {
  @Audited({ target: 'credit_record', id: 'recordId' })
  @Mutation(() => CreditRepair)
  submitCreditRepair(
    @Arg('recordId', () => ID) _id: string,
    @Arg('statement') _s: string,
    @Arg('at', () => Date, { nullable: true, description: AT }) _at?: Date,
  ): CreditRepair {
    return notYet('submitCreditRepair', REPAIR);
  }
  @Audited({ target: 'credit_repair', id: 'id' })
  @Mutation(() => CreditRepair)
  confirmCreditRepair(@Arg('id', () => ID) _id: string, @Arg('at', () => Date, { nullable: true, description: AT }) _at?: Date): CreditRepair {
    return notYet('confirmCreditRepair', REPAIR);
  }
  @Audited({ target: 'credit_repair', id: 'id', detail: ['approve'] })
  @Mutation(() => CreditRepair)
  decideCreditRepair(
    @Arg('id', () => ID) _id: string,
    @Arg('approve') _a: boolean,
    @Arg('note', () => String, { nullable: true }) _n?: string,
    @Arg('at', () => Date, { nullable: true, description: AT }) _at?: Date,
  ): CreditRepair {
    return notYet('decideCreditRepair', REPAIR);
  }
}
