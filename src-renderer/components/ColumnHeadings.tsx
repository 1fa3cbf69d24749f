/** A table's column headings; figures are right-aligned like their cells. */
export interface ColumnHeading {
  label: string;
  /** A figure column (tokens, cost, …). */
  numeric?: boolean;
  /** What the heading stands for, when its label is short. */
  title?: string;
  /** Left out of a narrow table (a 1024 px window; CSS `.col-wide-only`), so the columns that matter keep room. */
  wideOnly?: boolean;
}

export function ColumnHeadings({ columns }: { columns: readonly ColumnHeading[] }) {
  return (
    <>
      {columns.map((column) => {
        const classes = [column.numeric && 'num', column.wideOnly && 'col-wide-only'].filter(Boolean).join(' ');
        return (
          <th key={column.label} scope="col" className={classes || undefined} title={column.title}>
            {column.label}
          </th>
        );
      })}
    </>
  );
}
