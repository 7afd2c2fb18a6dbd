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
    // Each fragment costed once: a fragment spreading the next one twice, thirty deep, would
    // otherwise be walked 2^30 times. (A cycle costs nothing here: NoFragmentCycles refuses it.)
    const fragmentCosts = new Map<string, number>();
    const fragmentCost = (name: string, seen: ReadonlySet<string>, depth: number): number => {
      let cost = fragmentCosts.get(name);
      if (cost === undefined && !seen.has(name)) {
        cost = costOf(fragments.get(name)?.selectionSet, new Set([...seen, name]), depth);
        fragmentCosts.set(name, cost);
      }
      return cost ?? 0;
    };
    const costOf = (
      set: SelectionSetNode | undefined,
      seen: ReadonlySet<string>,
      depth: number,
    ): number => {
      if (!set) return 0;
      if (depth > MAX_NESTING) throw new TooDeep();
      let sum = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) sum += fieldCost(s, seen, depth + 1);
        else if (s.kind === Kind.INLINE_FRAGMENT) sum += costOf(s.selectionSet, seen, depth + 1);
        else sum += fragmentCost(s.name.value, seen, depth + 1);
      }
      return capped(sum);
    };
    const fieldCost = (field: FieldNode, seen: ReadonlySet<string>, depth: number): number => {
      const size = pageSize(field) ?? (listFields.has(field.name.value) ? DEFAULT_LIST_SIZE : 1);
      return capped(1 + size * costOf(field.selectionSet, seen, depth));
    };
    return {
      OperationDefinition(operation) {
        let cost: number;
        try {
          cost = costOf(operation.selectionSet, new Set(), 0);
        } catch (error) {
          if (!(error instanceof TooDeep)) throw error;
          context.reportError(
            new GraphQLError(
              `query too deeply nested: more than ${MAX_NESTING} levels of fields and fragments`,
              { nodes: [operation], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
            ),
          );
          return;
        }
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

// Far deeper than the depth limit lets any query be, and far short of the end of the stack, which
// a query graphql-js parses can otherwise reach here.
const MAX_NESTING = 100;
class TooDeep extends Error {}

// Costs stop growing here: none becomes Infinity, which a page of 0 would turn into NaN, a cost
// no limit refuses.
const capped = (cost: number) => Math.min(cost, Number.MAX_SAFE_INTEGER);

/** The `first` or `last` a field asks for, when written in the query. */
function pageSize(field: FieldNode): number | undefined {
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    // A negative page is refused when resolved: it fetches nothing, and must not cancel out the
    // cost of the fields beside it.
    if (arg.value.kind === Kind.INT) return capped(Math.max(0, Number(arg.value.value)));
    // A variable's value is not known while validating: assume the most a page may hold.
    if (arg.value.kind === Kind.VARIABLE) return MAX_PAGE;
  }
  return undefined;
}

/** The most jobs one page may hold. */
export const MAX_PAGE = 500;
