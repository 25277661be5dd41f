import type { Db } from "./client.ts";

/** A statement as D1 prepares it; bulk writes are plain SQL over `json_each`. */
export function boundStatement(db: Db, text: string, ...params: unknown[]): D1PreparedStatement {
  return db.$client.prepare(text).bind(...params);
}

/**
 * Runs the non-empty writes atomically: D1 has no interactive transactions, a batch is one.
 * The results carry D1's own `changes`, `rows_read` and `rows_written`.
 */
export async function runAtomically(
  db: Db,
  writes: readonly (D1PreparedStatement | readonly D1PreparedStatement[] | null)[],
): Promise<D1Result[]> {
  const statements = writes.flat().filter((w) => w !== null);
  if (statements.length === 0) {
    return [];
  }
  return db.$client.batch(statements);
}
