import {
  GraphQLField,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  getNamedType,
  isCompositeType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';

/** One way down from Query to a composite field: the coordinates (`Type.field`) it passes, last one the field reached. */
export interface FieldPath {
  coords: string[];
  /** The operation selecting the scalar leaves of every level on the way and of the field reached; page arguments are `$n`. */
  query: string;
}

/** One field on the way down; `list`: whether it or a field above it is a list (a field below resolves once per item). */
interface Step {
  coord: string;
  field: GraphQLField<unknown, unknown>;
  type: GraphQLObjectType;
  list: boolean;
}

const PAGE_ARGS = new Set(['first', 'last', 'limit']);

/** A field the walk cannot select without inventing an argument: it is reported, so the test can name it. */
const needsArgument = (f: GraphQLField<unknown, unknown>) =>
  f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined && !PAGE_ARGS.has(a.name));

function args(f: GraphQLField<unknown, unknown>): string {
  const page = f.args.filter((a) => PAGE_ARGS.has(a.name) && getNamedType(a.type).name === 'Int').map((a) => `${a.name}: $n`);
  return page.length ? `(${page.join(', ')})` : '';
}

function leaves(t: GraphQLObjectType): string[] {
  return Object.values(t.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && !needsArgument(f))
    .map((f) => f.name);
}

/**
 * Every path from the Query fields down through composite fields, up to `maxDepth` composite fields deep (below a list, each
 * type's fields once, from the shallowest depth it is met at), never passing the
 * same coordinate twice (the schema has cycles: Meter.readings → MeterReading.meter → Meter…). Fields that need an argument
 * the walk cannot invent (`enterprise(creditCode:)`) are returned in `skipped`.
 */
export function listPaths(schema: GraphQLSchema, maxDepth: number): { paths: FieldPath[]; skipped: string[]; listCoords: string[] } {
  const paths: FieldPath[] = [];
  const skipped = new Set<string>();
  const listCoords = new Set<string>();
  /** Type name → the shallowest depth at which its fields were walked below a list. */
  const expandedUnderList = new Map<string, number>();
  const walk = (t: GraphQLObjectType, trail: Step[]) => {
    for (const f of Object.values(t.getFields())) {
      const nt: GraphQLNamedType = getNamedType(f.type);
      if (!isCompositeType(nt)) continue;
      const coord = `${t.name}.${f.name}`;
      if (!isObjectType(nt)) throw new Error(`${coord}: the walk knows object types only; teach it ${nt.name}`);
      if (needsArgument(f)) {
        skipped.add(coord);
        continue;
      }
      if (trail.some((s) => s.coord === coord) || trail.length + 1 > maxDepth) continue;
      const isList = String(f.type).includes('[');
      if (isList) listCoords.add(coord);
      const next = [...trail, { coord, field: f, type: nt, list: isList || (trail.at(-1)?.list ?? false) }];
      paths.push({ coords: next.map((s) => s.coord), query: render(next) });
      // A type's fields resolve the same way whichever list led to it: below a list, walk each type's fields once
      // (again only from a shallower depth, where more of its subtree fits), so a re-entry such as
      // WorkItem.enterprise → Enterprise does not walk the whole Enterprise graph a second time.
      const list = next.at(-1)!.list;
      if (list && (expandedUnderList.get(nt.name) ?? Infinity) <= next.length) continue;
      if (list) expandedUnderList.set(nt.name, next.length);
      walk(nt, next);
    }
  };
  walk(schema.getQueryType()!, []);
  return { paths, skipped: [...skipped].sort(), listCoords: [...listCoords].sort() };
}

function render(trail: { field: GraphQLField<unknown, unknown>; type: GraphQLObjectType }[]): string {
  let inner = '';
  for (let i = trail.length - 1; i >= 0; i--) {
    const { field, type } = trail[i];
    // A type without scalar fields (a connection of edges and pageInfo) ending the path selects __typename.
    inner = `${field.name}${args(field)} { ${[...leaves(type), inner].filter(Boolean).join(' ') || '__typename'} }`;
  }
  return `query($n: Int!) { ${inner} }`;
}
