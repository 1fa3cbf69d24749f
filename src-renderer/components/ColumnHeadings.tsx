/** A table's column headings; figures are right-aligned like their cells. */
export interface ColumnHeading {
  label: string;
  /** A figure column (tokens, cost, …). */
  numeric?: boolean;
  /** What the heading stands for, when its label is short. */
  title?: string;
}

export function ColumnHeadings({ columns }: { columns: readonly ColumnHeading[] }) {
  return (
    <>
      {columns.map((column) => (
        <th key={column.label} scope="col" className={column.numeric ? 'num' : undefined} title={column.title}>
          {column.label}
        </th>
      ))}
    </>
  );
}
