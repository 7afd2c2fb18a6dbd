/** The selection with `ids` added (`on`) or taken out. */
export function toggled<T>(selected: ReadonlySet<T>, ids: readonly T[], on: boolean): Set<T> {
  const after = new Set(selected);
  for (const id of ids) {
    if (on) after.add(id);
    else after.delete(id);
  }
  return after;
}
