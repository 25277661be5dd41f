// D1's own figures (`meta.rows_read`, `meta.rows_written`) added up over the statements of a
// request or a cron run: written by the metered Worker, summed by the bench driver.

/** What one D1 database (a binding: DB, SHARD_<n>) was asked for. */
export interface BindingTally {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

export interface D1Tally {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  /** Statements whose answer carries no meta (`raw()`, `first()`): their rows are not counted. */
  unmetered: number;
  /** The same figures per statement text (its first words), to see where the rows go. */
  bySql: Record<string, { count: number; rowsRead: number; rowsWritten: number; changes: number }>;
  /** The same figures per database: the control plane's and each data shard's share. */
  byBinding: Record<string, BindingTally>;
}

export function newTally(): D1Tally {
  return { statements: 0, rowsRead: 0, rowsWritten: 0, unmetered: 0, bySql: {}, byBinding: {} };
}

/** Adds `tally` into `total`. */
export function addTally(total: D1Tally, tally: D1Tally): void {
  total.statements += tally.statements;
  total.rowsRead += tally.rowsRead;
  total.rowsWritten += tally.rowsWritten;
  total.unmetered += tally.unmetered;
  for (const [sql, s] of Object.entries(tally.bySql)) {
    const into = total.bySql[sql] ?? { count: 0, rowsRead: 0, rowsWritten: 0, changes: 0 };
    total.bySql[sql] = into;
    into.count += s.count;
    into.rowsRead += s.rowsRead;
    into.rowsWritten += s.rowsWritten;
    into.changes += s.changes;
  }
  for (const [binding, b] of Object.entries(tally.byBinding)) {
    const into = total.byBinding[binding] ?? { statements: 0, rowsRead: 0, rowsWritten: 0 };
    total.byBinding[binding] = into;
    into.statements += b.statements;
    into.rowsRead += b.rowsRead;
    into.rowsWritten += b.rowsWritten;
  }
}
