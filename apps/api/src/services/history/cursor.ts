import { ServiceError } from "../errors.ts";

/**
 * Reads a history cursor: the `seq` of a history line, as this API returned it (`min` 1), or 0
 * for the start of the change feed (`min` 0). Anything else is the caller's mistake, answered
 * as such rather than as an empty page.
 */
export function parseSeqCursor(cursor: string, min: 0 | 1): number {
  const seq = /^(0|[1-9][0-9]{0,15})$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq < min) {
    throw new ServiceError("BAD_REQUEST", "The cursor is not one this API returned.", [
      { path: "cursor", message: "use the nextCursor of the previous page" },
    ]);
  }
  return seq;
}
