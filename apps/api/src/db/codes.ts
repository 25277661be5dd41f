import { ActivitySource, type ConsentStatus } from "@lapse/consent";
import {
  type EntryReason,
  REASON_BY_CODE,
  REASON_CODES,
  STATUS_BY_CODE,
  STATUS_CODES,
} from "@lapse/proof";

/**
 * The small integers the data tables store for statuses, reasons and activity sources
 * (migration 0001 names them in `status_code`, `reason_code` and `source_code`). Statuses and
 * reasons are the codes of the log's entry encoding (@lapse/proof).
 */

export function statusCode(status: ConsentStatus): number {
  return STATUS_CODES[status];
}

export function statusOf(code: number): ConsentStatus {
  const status = STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE];
  if (status === undefined) {
    throw new Error(`Unknown status code ${code} in the database.`);
  }
  return status;
}

export function reasonCode(reason: EntryReason): number {
  return REASON_CODES[reason];
}

/** A reason spelt from the log's code list, not the domain's zod enum: the router's type (which
 * @lapse/client's declarations bundle) then names no zod type. */
export function reasonOf(code: number): EntryReason {
  const reason = REASON_BY_CODE[code as keyof typeof REASON_BY_CODE];
  if (reason === undefined) {
    throw new Error(`Unknown reason code ${code} in the database.`);
  }
  return reason;
}

/** `accepted` is 0, the event types follow in their order (1…7). */
const SOURCES = ActivitySource.options;

export function sourceCode(source: ActivitySource | null): number | null {
  return source === null ? null : SOURCES.indexOf(source);
}

export function sourceOf(code: number | null): ActivitySource | null {
  if (code === null) {
    return null;
  }
  const source = SOURCES[code];
  if (source === undefined) {
    throw new Error(`Unknown activity source code ${code} in the database.`);
  }
  return source;
}

/** A BLOB as D1 returns it (an array of byte values, or an ArrayBuffer) as bytes. */
export function blobBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    return value;
  }
  if (value instanceof ArrayBuffer) {
    return new Uint8Array(value);
  }
  if (Array.isArray(value)) {
    return Uint8Array.from(value as number[]);
  }
  throw new TypeError("not a BLOB");
}
