import { FieldNode, GraphQLResolveInfo, Kind, OperationTypeNode, SelectionSetNode } from 'graphql';
import { EVALUATORS, hasRole } from '../../platform/auth/access.rules';
import type { Principal } from '../../platform/auth/principal';
import { METER_COLUMNS } from '../meter/meter.repository';
import { PERMIT_COLUMNS } from '../permit/permit.repository';
import { RATING_SUMMARY_COLUMNS } from '../rating/rating.repository';

/**
 * Planning an `enterprises` page from the request's selection, so a dashboard is one statement
 * that fetches only what it shows.
 *
 * A selection is *plain* when below `enterprises` it asks only for the connection's own fields,
 * the enterprise's non-personal columns and plain columns of its current rating, meters and
 * permits (no field resolver, no personal field, no directive). For a plain selection the page
 * fetches only those columns of the children and no personal column (nothing in it reads
 * them), and its rows are not primed into the request's enterprise loader (they are not whole rows).
 *
 * A plain selection that is the operation's only root field, selects `rating` and no
 * `totalCount`, asked by a role that passes every check on every enterprise of its page
 * (supervisors and the credit authority: the page is their jurisdiction), resolves
 * `rating` on every listed enterprise and nothing in it can fail: its Art. 23 read log is then
 * exactly one `rating` read per listed enterprise, which the page statement writes itself
 * (same rows as the log written after the response, one round trip fewer). Anything else
 * keeps the log written after the response.
 */

/** Child → (GraphQL field → SQL expression), from the repositories' column lists. */
function columnMap(columns: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of columns.split(',')) {
    const m = /^\s*(\w+\.(\w+))(?:\s+AS\s+"(\w+)")?\s*$/.exec(part);
    if (!m) throw new Error(`page-plan: unexpected column "${part.trim()}"`);
    map.set(m[3] ?? m[2], m[1]);
  }
  return map;
}

export const CHILD_COLUMNS = {
  rating: columnMap(RATING_SUMMARY_COLUMNS),
  meters: columnMap(METER_COLUMNS),
  permits: columnMap(PERMIT_COLUMNS),
} as const;
export type Child = keyof typeof CHILD_COLUMNS;

/** Enterprise fields that are plain, non-personal columns. */
const NODE_COLUMNS = new Set(['id', 'creditCode', 'name', 'regionCode', 'industry', 'checkOverride']);
const EDGE_FIELDS = new Set(['cursor']);
const PAGE_INFO_FIELDS = new Set(['hasNextPage', 'endCursor']);

export interface PagePlan {
  /** The GraphQL fields selected of each child (only the selected children are present). */
  children: Partial<Record<Child, string[]>>;
  /** The enterprise's own fields selected. */
  node: string[];
  /** Whether the page statement writes the request's result read log itself. */
  logsReads: boolean;
}

class NotPlain extends Error {}

/** The plan for a plain selection of `enterprises` (see above); null when it is not plain. */
export function planPage(info: GraphQLResolveInfo, principal: Principal): PagePlan | null {
  const children: Partial<Record<Child, Set<string>>> = {};
  const node = new Set<string>();
  let totalCount = false;
  try {
    forEachField(info, info.fieldNodes, (f) => {
      const name = f.name.value;
      if (name === 'totalCount') totalCount = true;
      else if (name === 'edges')
        forEachField(info, [f], (g) => {
          const n = g.name.value;
          if (n === 'node')
            forEachField(info, [g], (h) => {
              const field = h.name.value;
              if (field in CHILD_COLUMNS) {
                if (h.arguments?.length) throw new NotPlain();
                const child = field as Child;
                const wanted = (children[child] ??= new Set());
                forEachField(info, [h], (k) => {
                  if (!CHILD_COLUMNS[child].has(k.name.value) || k.selectionSet) throw new NotPlain();
                  wanted.add(k.name.value);
                });
              } else if (!NODE_COLUMNS.has(field) || h.selectionSet) throw new NotPlain();
              else node.add(field);
            });
          else if (!EDGE_FIELDS.has(n) || g.selectionSet) throw new NotPlain();
        });
      else if (name === 'pageInfo')
        forEachField(info, [f], (g) => {
          if (!PAGE_INFO_FIELDS.has(g.name.value) || g.selectionSet) throw new NotPlain();
        });
      else throw new NotPlain();
    });
  } catch (e) {
    if (e instanceof NotPlain) return null;
    throw e;
  }
  const only = info.operation.selectionSet.selections;
  const logsReads =
    Boolean(children.rating) &&
    !totalCount &&
    info.operation.operation === OperationTypeNode.QUERY &&
    only.length === 1 &&
    only[0] === info.fieldNodes[0] &&
    info.fieldNodes.length === 1 &&
    hasRole(principal, EVALUATORS) &&
    principal.rejected === undefined;
  return { children: Object.fromEntries(Object.entries(children).map(([k, v]) => [k, [...v]])), node: [...node], logsReads };
}

/** Calls `fn` on every field selected below `nodes`, through fragments; a directive anywhere, or an unknown fragment, is not plain. */
function forEachField(info: GraphQLResolveInfo, nodes: readonly FieldNode[], fn: (f: FieldNode) => void): void {
  const visit = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.directives?.length) throw new NotPlain();
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value !== '__typename') fn(sel);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else {
        const frag = info.fragments[sel.name.value];
        if (!frag || frag.directives?.length) throw new NotPlain();
        visit(frag.selectionSet);
      }
    }
  };
  for (const n of nodes) {
    if (n.directives?.length) throw new NotPlain();
    if (n.selectionSet) visit(n.selectionSet);
  }
}
