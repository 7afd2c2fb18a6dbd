/** Where the dashboard is in the list: the first page, or after/before a cursor. */
export type PageCursor =
  | { readonly kind: 'first' }
  | { readonly kind: 'after'; readonly cursor: string }
  | { readonly kind: 'before'; readonly cursor: string };

export const PAGE_SIZE = 100;

/** The `migrations(...)` paging arguments for a cursor. */
export function pagingVariables(
  at: PageCursor,
  size = PAGE_SIZE,
): { first?: number; after?: string; last?: number; before?: string } {
  switch (at.kind) {
    case 'first':
      return { first: size };
    case 'after':
      return { first: size, after: at.cursor };
    case 'before':
      return { last: size, before: at.cursor };
    default: {
      const unhandled: never = at;
      return unhandled;
    }
  }
}
