import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * Names of the fields selected at `path` below the current field (following fragments),
 * e.g. `selectedFields(info, ['edges', 'node'])` on a connection. Lets a list query fetch
 * what its children will ask for in the same statement.
 */
export function selectedFields(info: GraphQLResolveInfo, path: string[]): Set<string> {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const name of path)
    sets = fieldsOf(info, sets)
      .filter((f) => f.name.value === name && f.selectionSet)
      .map((f) => f.selectionSet!);
  return new Set(fieldsOf(info, sets).map((f) => f.name.value));
}

function fieldsOf(info: GraphQLResolveInfo, sets: SelectionSetNode[]): FieldNode[] {
  const out: FieldNode[] = [];
  const visit = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) out.push(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else {
        const frag = info.fragments[sel.name.value];
        if (frag) visit(frag.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  return out;
}
