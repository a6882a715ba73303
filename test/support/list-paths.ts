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
 * Every path from the Query fields down through composite fields, up to `maxDepth` composite fields deep, never passing the
 * same coordinate twice (the schema has cycles: Meter.readings → MeterReading.meter → Meter…). Fields that need an argument
 * the walk cannot invent (`enterprise(creditCode:)`) are returned in `skipped`.
 */
export function listPaths(schema: GraphQLSchema, maxDepth: number): { paths: FieldPath[]; skipped: string[]; listCoords: string[] } {
  const paths: FieldPath[] = [];
  const skipped = new Set<string>();
  const listCoords = new Set<string>();
  const walk = (t: GraphQLObjectType, trail: { coord: string; field: GraphQLField<unknown, unknown>; type: GraphQLObjectType }[]) => {
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
      if (String(f.type).includes('[')) listCoords.add(coord);
      const next = [...trail, { coord, field: f, type: nt }];
      paths.push({ coords: next.map((s) => s.coord), query: render(next) });
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
