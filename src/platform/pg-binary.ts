/**
 * One-dimensional Postgres arrays in the binary wire format (array_recv), for bind parameters: `pg` sends a
 * `Buffer` parameter in binary, so `$1::float8[]` bound to {@link float8Array}`(xs)` reaches the server with no
 * text to format in Node nor to parse there (timestamps above all). Server connections only (`pg`); the embedded
 * database's parameters stay JavaScript values.
 */

/** Postgres timestamps and dates count from 2000-01-01 UTC. */
const PG_EPOCH_MS = 946_684_800_000;
const DAY_MS = 86_400_000;

/** Type OIDs of the element types below (pg_type.oid, fixed in every Postgres). */
const OID = { int4: 23, float8: 701, date: 1082, timestamptz: 1184, uuid: 2950 } as const;

/** Header (ndim 1, null flag, element OID, length, lower bound 1), then per element its length word and `size` bytes (null: length −1 only). */
function arrayOf<T>(oid: number, size: number, xs: readonly T[], write: (buf: Buffer, o: number, x: NonNullable<T>) => void): Buffer {
  const buf = Buffer.allocUnsafe(20 + xs.length * (4 + size));
  let hasNull = 0;
  let o = 20;
  for (const x of xs) {
    if (x === null || x === undefined) {
      buf.writeInt32BE(-1, o);
      o += 4;
      hasNull = 1;
    } else {
      buf.writeInt32BE(size, o);
      write(buf, o + 4, x);
      o += 4 + size;
    }
  }
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(hasNull, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(xs.length, 12);
  buf.writeInt32BE(1, 16);
  return buf.subarray(0, o);
}

/** `float8[]`; null elements stay null. */
export const float8Array = (xs: readonly (number | null)[]): Buffer => arrayOf(OID.float8, 8, xs, (b, o, x) => b.writeDoubleBE(x, o));

/** `int4[]` of integers. */
export const int4Array = (xs: readonly number[]): Buffer => arrayOf(OID.int4, 4, xs, (b, o, x) => b.writeInt32BE(x, o));

/** `timestamptz[]` at millisecond precision (a `Date`'s). */
export const timestamptzArray = (xs: readonly Date[]): Buffer =>
  arrayOf(OID.timestamptz, 8, xs, (b, o, x) => {
    // Microseconds since 2000 stay below 2^53 for any date a meter reports: exact as a double, split in two 32-bit words.
    const us = (x.getTime() - PG_EPOCH_MS) * 1000;
    const hi = Math.floor(us / 4_294_967_296);
    b.writeInt32BE(hi, o);
    b.writeUInt32BE(us - hi * 4_294_967_296, o + 4);
  });

/** `date[]` of `YYYY-MM-DD` strings. */
export const dateArray = (xs: readonly string[]): Buffer =>
  arrayOf(OID.date, 4, xs, (b, o, x) => b.writeInt32BE(Math.round((Date.parse(`${x}T00:00:00Z`) - PG_EPOCH_MS) / DAY_MS), o));

/** `uuid[]` of canonical (hyphenated) uuid strings; each distinct id is parsed once. */
export function uuidArray(xs: readonly string[]): Buffer {
  const parsed = new Map<string, Buffer>();
  return arrayOf(OID.uuid, 16, xs, (b, o, x) => {
    let id = parsed.get(x);
    if (!id) parsed.set(x, (id = Buffer.from(x.replace(/-/g, ''), 'hex')));
    if (id.length !== 16) throw new Error(`not a uuid: ${x}`);
    id.copy(b, o);
  });
}
