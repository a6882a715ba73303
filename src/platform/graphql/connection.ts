/**
 * Relay-style paging, once: the generic {@link Connection} type (type-graphql's generic
 * types) and {@link toConnection}, the helper every paged list builds its page with.
 *
 * `simpleResolvers`: plain fields use graphql-js's default resolver (no per-field
 * middleware or auth runs on them; access is checked in services and field resolvers).
 *
 * @example
 *   @ObjectType({ simpleResolvers: true })
 *   export class EnterpriseConnection extends Connection(Enterprise) {}   // + EnterpriseEdge
 *
 *   const rows = await repo.page(filter, first + 1, after);               // one row more than asked
 *   return toConnection(rows, first, (e) => encodeCursor(e.creditCode));
 */
import { ClassType, Field, ObjectType } from 'type-graphql';
import { badInput } from '../errors';

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A page as resolvers return it; `T` is the row the node's field resolvers take as root. */
export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/**
 * The base of `<Item>Connection`: `edges: [<Item>Edge!]!` and `pageInfo: PageInfo!`; it also
 * declares `<Item>Edge { cursor: String! node: <Item>! }`. `totalCount`, when a list has one,
 * is a field resolver of the domain (it counts only when selected).
 */
export function Connection<TItem extends object>(Item: ClassType<TItem>) {
  @ObjectType(`${Item.name}Edge`, { simpleResolvers: true })
  class ItemEdge {
    @Field() cursor: string;
    @Field(() => Item) node: TItem;
  }

  @ObjectType(`${Item.name}ConnectionBase`, { simpleResolvers: true })
  abstract class ItemConnection {
    @Field(() => [ItemEdge]) edges: ItemEdge[];
    @Field(() => PageInfo) pageInfo: PageInfo;
  }
  return ItemConnection;
}

/** `first` of a paged list: `fallback` when absent, else between `min` and `max` or BAD_USER_INPUT. */
export function pageSize(first: number | null | undefined, fallback: number, max = 500, min = 0): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) throw badInput(`first must be between ${min} and ${max}`, 'first');
  return n;
}

/** The page of `rows` fetched with `first + 1` as limit: at most `first` edges, and whether more follow. */
export function toConnection<T>(rows: readonly T[], first: number, cursorOf: (row: T) => string): Page<T> {
  const edges = rows.slice(0, first).map((node) => new LazyEdge(node, cursorOf));
  const last = edges.at(-1);
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? last.cursor : null } };
}

/** An edge whose cursor is encoded when read (most pages never select `cursor`). */
class LazyEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (row: T) => string,
  ) {}
  get cursor(): string {
    return this.cursorOf(this.node);
  }
}
