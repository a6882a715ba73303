import type { Queryable } from '../../platform/sql';
import { Conditions, one, preparedRows, rows } from '../../platform/sql';
import { METER_COLUMNS, MeterRow } from '../meter/meter.repository';
import { PERMIT_COLUMNS, PermitRow } from '../permit/permit.repository';
import { RATING_SUMMARY_COLUMNS, RatingSummary, runConfirmedAt } from '../rating/rating.repository';
import type { Grade } from '../policy/credit-policy';
import { lookupHash, seal, unseal } from '../../platform/crypto/keyring';
import { CTX } from '../keys/encrypted-columns';
import { CHILD_COLUMNS, Child } from './page-plan';
import { PageReadLog, readLogInsert } from './result-access.repository';

export interface EnterpriseRow {
  id: string;
  creditCode: string;
  name: string;
  regionCode: string;
  industry: string | null;
  legalRepresentative: string | null;
  legalRepresentativeIdNumber: string | null;
  contactPhone: string | null;
  checkOverride: boolean;
  currentRatingId: string | null;
  currentGrade: Grade | null;
  createdAt: Date;
  /** Children fetched with the page (see `PageIncludes`); absent ones go through the loaders. */
  prefetched?: { rating?: RatingSummary | null; meters?: MeterRow[]; permits?: PermitRow[] };
}

export const ENTERPRISE_COLUMNS = `e.id, e.credit_code AS "creditCode", e.name, e.region_code AS "regionCode", e.industry,
  e.legal_representative AS "legalRepresentative", e.legal_representative_id_number AS "legalRepresentativeIdNumber",
  e.contact_phone AS "contactPhone", e.check_override AS "checkOverride", e.current_rating_id AS "currentRatingId",
  e.current_grade AS "currentGrade", e.created_at AS "createdAt"`;

type PersonalField = 'legalRepresentative' | 'legalRepresentativeIdNumber' | 'contactPhone';
const PERSONAL: [PersonalField, string][] = [
  ['legalRepresentative', CTX.legalRepresentative],
  ['legalRepresentativeIdNumber', CTX.legalRepresentativeIdNumber],
  ['contactPhone', CTX.contactPhone],
];

/**
 * A row's personal data, decrypted where it is read (encrypted at rest; legacy plain values as
 * they are): each field opens on first access, so a page of 500 enterprises whose request selects
 * no personal field decrypts nothing. A value that fails to open throws at that access.
 */
function opened<T extends EnterpriseRow | undefined>(e: T): T {
  if (!e) return e;
  for (const [field, context] of PERSONAL) {
    const stored = e[field];
    let value: string | null | undefined;
    Object.defineProperty(e, field, {
      enumerable: true,
      configurable: true,
      get: () => (value === undefined ? (value = unseal(context, stored)) : value),
      set: (v: string | null) => (value = v),
    });
  }
  return e;
}

/** The keyed hash of an ID number, for lookups of the enterprises a legal representative represents. */
export const idNumberHash = (idNumber: string | null) => lookupHash(CTX.legalRepresentativeIdNumber, idNumber);

export type NewEnterprise = Pick<
  EnterpriseRow,
  'creditCode' | 'name' | 'regionCode' | 'industry' | 'legalRepresentative' | 'legalRepresentativeIdNumber' | 'contactPhone' | 'checkOverride'
>;

export async function insertEnterprise(m: Queryable, e: NewEnterprise): Promise<EnterpriseRow | undefined> {
  return opened(
    await one<EnterpriseRow>(
      m,
      `INSERT INTO enterprise AS e (credit_code, name, region_code, industry, legal_representative, legal_representative_id_number, contact_phone, check_override,
                                    legal_representative_id_number_hmac)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING ${ENTERPRISE_COLUMNS}`,
      [
        e.creditCode,
        e.name,
        e.regionCode,
        e.industry,
        seal(CTX.legalRepresentative, e.legalRepresentative),
        seal(CTX.legalRepresentativeIdNumber, e.legalRepresentativeIdNumber),
        seal(CTX.contactPhone, e.contactPhone),
        e.checkOverride,
        idNumberHash(e.legalRepresentativeIdNumber),
      ],
    ),
  );
}

export async function findByCreditCode(m: Queryable, creditCode: string, lock = false): Promise<EnterpriseRow | undefined> {
  return opened(
    await one<EnterpriseRow>(m, `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE e.credit_code = $1${lock ? ' FOR UPDATE' : ''}`, [creditCode]),
  );
}

/** Reads and locks one enterprise for the rest of the transaction: changes to one enterprise (and its re-grading) take turns. */
/** Ids of every enterprise in the jurisdictions `prefixes` (region code prefixes; null: all), in id order. */
export async function enterpriseIdsIn(m: Queryable, prefixes: string[] | null): Promise<string[]> {
  const found = await rows<{ id: string }>(m, `SELECT id FROM enterprise WHERE $1::text[] IS NULL OR region_code LIKE ANY($1::text[]) ORDER BY id`, [
    prefixes?.map((p) => `${p}%`) ?? null,
  ]);
  return found.map((r) => r.id);
}

export async function lockEnterpriseById(m: Queryable, id: string): Promise<EnterpriseRow | undefined> {
  return opened(await one<EnterpriseRow>(m, `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE e.id = $1 FOR UPDATE`, [id]));
}

export async function findByIds(m: Queryable, ids: readonly string[]): Promise<EnterpriseRow[]> {
  return (await rows<EnterpriseRow>(m, `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE e.id = ANY($1::uuid[])`, [ids])).map(opened);
}

/** Enterprises whose legal representative has this ID number (by its keyed hash; the number itself is encrypted). */
export async function findByLegalRepresentativeIdNumber(m: Queryable, idNumber: string): Promise<EnterpriseRow[]> {
  return (
    await rows<EnterpriseRow>(m, `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise e WHERE e.legal_representative_id_number_hmac = $1 ORDER BY e.credit_code`, [
      idNumberHash(idNumber),
    ])
  ).map(opened);
}

export interface EnterpriseFilter {
  /** Region prefixes the caller may see; null = all. */
  scope: string[] | null;
  /** ENTERPRISE callers see one code only. */
  onlyCreditCode?: string;
  regionPrefix?: string;
  grade?: string;
}

/** Jurisdiction, own code and region conditions on an enterprise aliased `e`: every list filtered by who asks starts here. */
export function enterpriseConditions(f: Pick<EnterpriseFilter, 'scope' | 'onlyCreditCode' | 'regionPrefix'>): Conditions {
  const c = new Conditions();
  if (f.scope)
    c.add(
      `e.region_code LIKE ANY(?::text[])`,
      f.scope.map((p) => `${p}%`),
    );
  if (f.onlyCreditCode) c.add(`e.credit_code = ?`, f.onlyCreditCode);
  if (f.regionPrefix) c.add(`e.region_code LIKE ?`, `${f.regionPrefix}%`);
  return c;
}

function where(f: EnterpriseFilter): Conditions {
  const c = enterpriseConditions(f);
  if (f.grade) c.add(`e.current_grade = ?`, f.grade);
  return c;
}

/** Children a page query can fetch in the same statement, when the request selects them. */
export interface PageIncludes {
  rating?: boolean;
  meters?: boolean;
  permits?: boolean;
  /**
   * A plain selection (page-plan.ts): only these fields of the enterprise (`node`) and of the children included above,
   * and no personal column (the rows are partial: never primed into a loader). Absent: whole rows.
   */
  only?: Partial<Record<Child | 'node', readonly string[]>>;
  /** The request's Art. 23 read log, written by the page statement itself: one row per listed enterprise. */
  readLog?: PageReadLog;
}

/** Timestamps arrive as strings inside JSON; these keys become Dates again. */
const DATE_KEYS = ['asOf', 'evaluatedAt', 'lastReadingAt', 'calibrationExpiresAt', 'createdAt', 'validFrom', 'validTo', 'revokedAt'];
function revive<T>(row: Record<string, unknown>): T {
  for (const k of DATE_KEYS) if (typeof row[k] === 'string') row[k] = new Date(row[k]);
  return row as T;
}

/**
 * One page in credit-code order, plus one row to tell whether another page follows.
 * Requested children (current rating, meters, permits) come back in the same statement, in
 * the same order their loaders would give, so a dashboard page is one round trip (its read
 * log too, with `include.readLog`).
 */
export async function pageEnterprises(m: Queryable, f: EnterpriseFilter, first: number, after?: string, include: PageIncludes = {}): Promise<EnterpriseRow[]> {
  const w = where(f);
  const params = [...w.params, first + 1];
  let cursor = '';
  if (after !== undefined) {
    params.push(after);
    cursor = ` AND e.credit_code > $${params.length}`;
  }
  const limit = `ORDER BY e.credit_code LIMIT $${w.params.length + 1}`;
  if (include.only) return plainPage(m, include, include.only, `WHERE ${w.sql}${cursor} ${limit}`, params, first);
  const extra = [
    include.rating && `(SELECT row_to_json(x) FROM (SELECT ${RATING_SUMMARY_COLUMNS} FROM credit_rating r WHERE r.id = e.current_rating_id) x) AS "__rating"`,
    include.meters &&
      `(SELECT coalesce(json_agg(x ORDER BY x."meterCode"), '[]') FROM (SELECT ${METER_COLUMNS} FROM meter t WHERE t.enterprise_id = e.id) x) AS "__meters"`,
    include.permits &&
      `(SELECT coalesce(json_agg(x ORDER BY x."validFrom", x."permitNo"), '[]') FROM (SELECT ${PERMIT_COLUMNS} FROM water_permit p WHERE p.enterprise_id = e.id) x) AS "__permits"`,
  ].filter(Boolean);
  const page = await rows<
    EnterpriseRow & { __rating?: Record<string, unknown> | null; __meters?: Record<string, unknown>[]; __permits?: Record<string, unknown>[] }
  >(m, `SELECT ${ENTERPRISE_COLUMNS}${extra.map((x) => `, ${x}`).join('')} FROM enterprise e WHERE ${w.sql}${cursor} ${limit}`, params);
  page.forEach(opened);
  if (!extra.length) return page;
  // The raw __ columns stay on the row (GraphQL never exposes them): cheaper than copying every row without them.
  for (const e of page)
    e.prefetched = {
      rating: include.rating ? (e.__rating ? revive<RatingSummary>(e.__rating) : null) : undefined,
      meters: e.__meters?.map((x) => revive<MeterRow>(x)),
      permits: e.__permits?.map((x) => revive<PermitRow>(x)),
    };
  return page;
}

/** Enterprise fields a plain selection may ask for (page-plan.ts), beside those every page reads (id, code, region). */
const PLAIN_NODE_COLUMNS: Record<string, string> = { name: 'e.name', industry: 'e.industry', checkOverride: 'e.check_override AS "checkOverride"' };

/**
 * A plain selection's page (page-plan.ts): the enterprise's id, code and region (access checks, cursor, read log) and
 * the fields asked for, the current rating's asked-for columns through a join (typed by pg as a whole row's would be),
 * and each meter or permit as a JSON array of the asked-for fields (their timestamps revived here). Partial rows: never
 * primed into a loader, never given to a personal field. The statement takes a handful of shapes: prepared.
 */
async function plainPage(
  m: Queryable,
  include: PageIncludes,
  only: Partial<Record<Child | 'node', readonly string[]>>,
  tail: string,
  params: unknown[],
  first: number,
): Promise<EnterpriseRow[]> {
  const node = (only.node ?? []).filter((n) => PLAIN_NODE_COLUMNS[n]);
  const cols = [`e.id, e.credit_code AS "creditCode", e.region_code AS "regionCode"`, ...node.map((n) => PLAIN_NODE_COLUMNS[n])];
  const ratingFields = include.rating ? (only.rating ?? []) : [];
  if (include.rating) cols.push(`r.id AS "__rid"`, ...ratingFields.map((f, i) => `${CHILD_COLUMNS.rating.get(f)!} AS "__r${i}"`));
  const list = (child: 'meters' | 'permits', table: string, alias: string, order: string) => {
    const fields = only[child] ?? [];
    return `(SELECT json_agg(json_build_array(${fields.map((f) => CHILD_COLUMNS[child].get(f)!).join(', ')}) ORDER BY ${order}) FROM ${table} ${alias} WHERE ${alias}.enterprise_id = e.id) AS "__${child}"`;
  };
  if (include.meters) cols.push(list('meters', 'meter', 't', 't.meter_code'));
  if (include.permits) cols.push(list('permits', 'water_permit', 'p', 'p.valid_from, p.permit_no'));
  const from = include.rating ? `enterprise e LEFT JOIN credit_rating r ON r.id = e.current_rating_id` : `enterprise e`;
  const select = `SELECT ${cols.join(', ')} FROM ${from} ${tail}`;
  let sql = select;
  if (include.readLog) {
    // The page's listed rows (not the one that tells whether more follow) are the reads; written with the page, in its order.
    params.push(first);
    const log = readLogInsert(
      `SELECT id, "creditCode" FROM page ORDER BY "creditCode" LIMIT $${params.length}`,
      '"creditCode"',
      include.readLog,
      params.length + 1,
    );
    params.push(...log.params);
    sql = `WITH page AS (${select}), logged AS (${log.sql}) SELECT * FROM page ORDER BY "creditCode"`;
  }
  const page = await preparedRows<EnterpriseRow & Record<string, unknown>>(m, sql, params);
  const meter = fromArray<MeterRow>(only.meters ?? []);
  const permit = fromArray<PermitRow>(only.permits ?? []);
  for (const e of page) {
    const prefetched: NonNullable<EnterpriseRow['prefetched']> = {};
    if (include.rating) {
      let rating: Record<string, unknown> | null = null;
      if (e.__rid != null) {
        rating = {};
        for (let i = 0; i < ratingFields.length; i++) rating[ratingFields[i]] = e[`__r${i}`];
      }
      prefetched.rating = rating as RatingSummary | null;
    }
    if (include.meters) prefetched.meters = ((e.__meters as unknown[][] | null) ?? []).map(meter);
    if (include.permits) prefetched.permits = ((e.__permits as unknown[][] | null) ?? []).map(permit);
    e.prefetched = prefetched;
  }
  return page;
}

/** A child's JSON array of `fields` (in that order) as the row its resolvers read; timestamps (strings in JSON) as Dates. */
function fromArray<T>(fields: readonly string[]): (values: unknown[]) => T {
  const dates = fields.map((f) => DATE_KEYS.includes(f));
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const v = values[i];
      row[fields[i]] = dates[i] && typeof v === 'string' ? new Date(v) : v;
    }
    return row as T;
  };
}

export async function countEnterprises(m: Queryable, f: EnterpriseFilter): Promise<number> {
  const w = where(f);
  const r = await one<{ n: number }>(m, `SELECT count(*)::int AS n FROM enterprise e WHERE ${w.sql}`, w.params);
  return r?.n ?? 0;
}

export function setCurrentRating(m: Queryable, enterpriseId: string, ratingId: string, grade: string): Promise<unknown> {
  return setCurrentRatings(m, [{ enterpriseId, ratingId, grade }]);
}

/** Makes each rating its enterprise's current one, in one statement. */
export async function setCurrentRatings(m: Queryable, ratings: readonly { enterpriseId: string; ratingId: string; grade: string }[]): Promise<void> {
  if (!ratings.length) return;
  // The rating that stops being current keeps for good when re-grade batches last confirmed it (see regrade_run).
  await m.query(
    `WITH u AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(eid, rid, grade)),
     kept AS (
       UPDATE credit_rating_confirmation c SET confirmed_at = w.at
         FROM enterprise o JOIN u ON u.eid = o.id CROSS JOIN LATERAL (SELECT ${runConfirmedAt('o.id')} AS at) w
        WHERE c.rating_id = o.current_rating_id AND o.current_rating_id IS DISTINCT FROM u.rid AND w.at > c.confirmed_at)
     UPDATE enterprise e SET current_rating_id = u.rid, current_grade = u.grade, updated_at = now() FROM u WHERE e.id = u.eid`,
    [ratings.map((r) => r.enterpriseId), ratings.map((r) => r.ratingId), ratings.map((r) => r.grade)],
  );
}
