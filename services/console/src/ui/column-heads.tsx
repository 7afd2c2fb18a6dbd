/** A table's column headings, numeric ones aligned as their cells are. */
export function ColumnHeads({
  columns,
}: {
  columns: readonly { readonly label: string; readonly numeric?: boolean }[];
}) {
  return columns.map(({ label, numeric }) => (
    <th key={label} scope="col" className={numeric ? 'num' : undefined}>
      {label}
    </th>
  ));
}
