import type { ReactNode } from "react";
import { QueryStatus } from "./feedback.tsx";

/** A header cell: its label, whether the column holds figures (right-aligned), and more. */
interface ColumnSpec {
  label: string;
  numeric?: boolean;
  /** Said to screen readers only (a column of buttons). */
  visuallyHidden?: boolean;
}

/** A plain column is just its label. */
export type Column = string | ColumnSpec;

interface DataTableProps<Row> {
  className?: string;
  /** A caption for screen readers, where no heading already names the table. */
  caption?: string;
  columns: readonly Column[];
  rows: readonly Row[];
  /** Shown instead of the table when there are no rows; without it, the table shows empty. */
  empty?: string;
  /** One body row: a `<tr>` with its own key. */
  children(row: Row): ReactNode;
}

/** A table with one header row built from `columns` and one body row per item of `rows`. */
export function DataTable<Row>({
  className,
  caption,
  columns,
  rows,
  empty,
  children,
}: DataTableProps<Row>) {
  if (empty !== undefined && rows.length === 0) {
    return <p>{empty}</p>;
  }
  return (
    <table className={className}>
      {caption === undefined ? null : <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column) => {
            const spec: ColumnSpec = typeof column === "string" ? { label: column } : column;
            // A table never names two columns alike, so the label keys its cell.
            return (
              <th key={spec.label} scope="col" className={spec.numeric ? "num" : undefined}>
                {spec.visuallyHidden ? (
                  <span className="visually-hidden">{spec.label}</span>
                ) : (
                  spec.label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{rows.map((row) => children(row))}</tbody>
    </table>
  );
}

/** The table of what a query lists: "Loading…" and its error until the rows come. */
export function QueryTable<Row>({
  query,
  ...table
}: Omit<DataTableProps<Row>, "rows"> & {
  query: { isPending: boolean; error: unknown; data: readonly Row[] | undefined };
}) {
  return (
    <>
      <QueryStatus query={query} />
      {query.data ? <DataTable {...table} rows={query.data} /> : null}
    </>
  );
}
