import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** The most a list field is assumed to return when the query does not say (`first`/`last`). */
const DEFAULT_LIST_SIZE = 100;

/**
 * A validation rule that refuses a query costing more than `maxCost`: each field costs 1, and what
 * is selected under a paged field (`first` / `last`) or a list counts that many times. Depth alone
 * lets a wide query through; this bounds the work a single request can ask for.
 */
export function costLimit(maxCost: number, listFields: ReadonlySet<string>) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions)
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const costOf = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
      if (!set) return 0;
      let sum = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) sum += fieldCost(s, seen);
        else if (s.kind === Kind.INLINE_FRAGMENT) sum += costOf(s.selectionSet, seen);
        else if (!seen.has(s.name.value))
          sum += costOf(
            fragments.get(s.name.value)?.selectionSet,
            new Set([...seen, s.name.value]),
          );
      }
      return sum;
    };
    const fieldCost = (field: FieldNode, seen: ReadonlySet<string>): number => {
      const size = pageSize(field) ?? (listFields.has(field.name.value) ? DEFAULT_LIST_SIZE : 1);
      return 1 + size * costOf(field.selectionSet, seen);
    };
    return {
      OperationDefinition(operation) {
        const cost = costOf(operation.selectionSet, new Set());
        if (cost > maxCost)
          context.reportError(
            new GraphQLError(
              `query too complex: it may touch ${cost} fields, the limit is ${maxCost}; ask for fewer fields or smaller pages`,
              { nodes: [operation], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
            ),
          );
      },
    };
  };
}

/** The `first` or `last` a field asks for, when written in the query. */
function pageSize(field: FieldNode): number | undefined {
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    // A variable's value is not known while validating: assume the most a page may hold.
    if (arg.value.kind === Kind.VARIABLE) return MAX_PAGE;
  }
  return undefined;
}

/** The most jobs one page may hold. */
export const MAX_PAGE = 500;
