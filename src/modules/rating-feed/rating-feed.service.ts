import { deliveryReadLog } from '../enterprise/result-delivery-log';
import { mayReadRating } from '../../platform/auth/access.rules';
import { jurisdictionPrefixes } from '../../platform/auth/principal';
import { HubContext } from '../context';
import { HubError, badInput, forbidden, notFound, unauthenticated } from '../../platform/errors';
import { createLoaders } from '../loaders';
import { logger } from '../../platform/logger';
import { appendAudit } from '../audit/audit.repository';
import { EnterpriseRow, findByCreditCode } from '../enterprise/enterprise.repository';
import { enterpriseLoaders } from '../enterprise/enterprise.loaders';
import type { Queryable } from '../../platform/sql';
import type { RatingChange } from './rating-change.type';
import type { RatingRow } from '../rating/rating.repository';
import type { RatingChangedEvent } from '../outbox/outbox';
import { changesSince } from '../outbox/outbox.repository';
import { ratingBus } from './rating-bus';
import { regionArgument } from '../enterprise/region-argument';

export interface RatingChangeArgs {
  regionCode?: string | null;
  creditCode?: string | null;
  since?: Date | null;
}

/** How far back `since` may reach, and how many past changes it may bring. */
export const SINCE_MAX_DAYS = 7;
export const SINCE_MAX_EVENTS = 10_000;

/** What the resolver hands on for one event; `event` is the object every subscriber of this process shares. */
export type RatingChangeView = Omit<RatingChange, 'enterprise' | 'rating'> & { event: RatingChangedEvent; rating: RatingRow };

/** One enterprise load per event and process, however many subscribers select it (also when a catch-up read it again). */
const enterpriseOfEvent = new Map<string, Promise<EnterpriseRow | undefined>>();
const ENTERPRISE_MEMO = 2000;

/**
 * The enterprise loads of one turn of the event loop, batched per handle: the events of one
 * Redis read (the relay publishes a batch at once) are executed together, so they cost one
 * statement, their answers are ready together and go out in one write per socket. Fresh
 * loaders every turn: nothing is cached longer than that.
 */
let burst: Map<Queryable, (id: string) => Promise<EnterpriseRow | null>> | null = null;
function loadInBurst(db: Queryable, id: string): Promise<EnterpriseRow | null> {
  if (!burst) {
    const b = (burst = new Map());
    setImmediate(() => {
      if (burst === b) burst = null;
    });
  }
  let load = burst.get(db);
  if (!load) {
    const loader = enterpriseLoaders(db).enterprise;
    burst.set(db, (load = (key: string) => loader.load(key)));
  }
  return load(id);
}

/**
 * The `ratingChanged` feed: opening a subscriber's stream (access, arguments, catch-up, audit)
 * and turning each shared bus event into what one subscriber sees.
 */
export const ratingFeedService = {
  /**
   * Opens one subscriber's stream: checks the token and arguments like a query would (clear
   * errors, never a silently empty stream), audits the subscription, and keeps only the
   * changes this principal may read that match its arguments.
   */
  async open(ctx: HubContext, args: RatingChangeArgs): Promise<AsyncIterable<RatingChangedEvent>> {
    const p = ctx.principal;
    const audit = (outcome: string) =>
      appendAudit(ctx.db, p, {
        action: 'subscribe:ratingChanged',
        targetType: args.creditCode ? 'enterprise' : null,
        targetId: args.creditCode ?? null,
        outcome,
        detail: { regionCode: args.regionCode ?? null, creditCode: args.creditCode ?? null, agency: p.agency ?? null },
      }).catch((err) => logger.error({ err }, 'audit append failed'));
    try {
      if (p.role === 'PUBLIC')
        throw unauthenticated('ratingChanged needs a bearer token: send {"authorization": "Bearer <token>"} as the connection_init payload.');
      const prefix = regionArgument(args.regionCode) ?? null;
      if (prefix !== null) {
        const mine = jurisdictionPrefixes(p);
        if (p.role === 'ENTERPRISE' || (mine !== null && !mine.some((m) => prefix.startsWith(m))))
          throw forbidden(`Region ${args.regionCode} is outside your jurisdiction.`);
      }
      if (args.creditCode) {
        const e = await findByCreditCode(ctx.db, args.creditCode);
        if (!e) throw notFound(`No enterprise with credit code ${args.creditCode}.`);
        if (!mayReadRating(p, e)) throw forbidden(`Enterprise ${args.creditCode} is outside your jurisdiction.`);
      }
      const since = args.since ?? null;
      if (since && (since.getTime() > Date.now() + 60_000 || since.getTime() < Date.now() - SINCE_MAX_DAYS * 86_400_000))
        throw badInput(`since must lie within the last ${SINCE_MAX_DAYS} days`, 'since');
      const code = args.creditCode ?? null;
      // A change this subscriber is handed is a read of the enterprise's result (Art. 23): noted once per event and subscriber, written in batches.
      const purpose = ctx.resultAccess.statedPurpose;
      const delivered = (ev: RatingChangedEvent) => deliveryReadLog.note(ctx.db, p, ev, purpose, ctx.requestId);
      const wants = (ev: RatingChangedEvent) => mayReadRating(p, ev) && (!prefix || ev.regionCode.startsWith(prefix)) && (!code || ev.creditCode === code);
      const filter = { prefixes: jurisdictionPrefixes(p), regionPrefix: prefix, creditCode: p.role === 'ENTERPRISE' ? p.creditCode! : code };
      // A minute of margin for clocks (the client's changedAt against published_at, stamped by whichever hub relayed it); the bus passes each event once.
      const from = since && new Date(since.getTime() - 60_000);
      const past = from && (await changesSince(ctx.db, from, filter, SINCE_MAX_EVENTS + 1));
      if (past && past.length > SINCE_MAX_EVENTS)
        throw badInput(
          `More than ${SINCE_MAX_EVENTS} changes since ${since.toISOString()}; pass a later since, or narrow with regionCode or creditCode.`,
          'since',
        );
      await audit('OK');
      // Live events queue from here on; the past ones go ahead of them.
      const stream = ratingBus.subscribe(wants, delivered);
      if (past) {
        let first = true;
        await stream
          .catchUp({
            read: async () => (first ? ((first = false), past) : await changesSince(ctx.db, from, filter, SINCE_MAX_EVENTS)).map((r) => r.payload),
            rereadAfterMs: [2_000, 10_000],
            windowMs: 60_000,
          })
          .catch(async (e) => {
            await stream.return!();
            throw e;
          });
      }
      return stream;
    } catch (e) {
      await audit(e instanceof HubError ? String(e.extensions.code) : 'ERROR');
      throw e;
    }
  },

  /** What one subscriber sees of a bus event; fresh loaders per event, since a subscription's context lives as long as it does and nothing cached may go stale. */
  view(ctx: HubContext, event: RatingChangedEvent): RatingChangeView {
    ctx.loaders = createLoaders(ctx.db);
    return {
      event,
      eventId: event.eventId,
      sequence: event.sequence,
      previousGrade: event.previousGrade,
      grade: event.grade,
      changedAt: new Date(event.changedAt),
      rating: {
        id: event.ratingId,
        enterpriseId: event.enterpriseId,
        grade: event.grade,
        score: event.score,
        policyVersion: event.policyVersion,
        asOf: new Date(event.asOf),
        evaluatedAt: new Date(event.evaluatedAt),
        evaluatedBy: '',
        // Only an official rating that became current is published as a change.
        official: true,
      },
    };
  },

  /** The enterprise of an event, loaded once per event and process (a failed load is not remembered). */
  async enterprise(ctx: HubContext, v: RatingChangeView): Promise<EnterpriseRow> {
    let row = enterpriseOfEvent.get(v.event.eventId);
    if (!row) {
      const id = v.event.eventId;
      row = loadInBurst(ctx.db, v.event.enterpriseId).then(
        (r) => r ?? undefined,
        (err) => {
          enterpriseOfEvent.delete(id);
          throw err;
        },
      );
      enterpriseOfEvent.set(id, row);
      if (enterpriseOfEvent.size > ENTERPRISE_MEMO) enterpriseOfEvent.delete(enterpriseOfEvent.keys().next().value!);
    }
    return (await row)!;
  },
};
