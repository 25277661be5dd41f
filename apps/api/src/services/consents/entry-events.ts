import type { ConsentKind, EventType } from "@lapse/consent";
import { ServiceError } from "../errors.ts";

/** Entry events belong to legal bases (R4); on an opt-in they would silently do nothing. */
export function checkEntryEvents(kind: ConsentKind, entryEvents: readonly EventType[]): void {
  if (kind === "opt_in" && entryEvents.length > 0) {
    throw new ServiceError(
      "BAD_REQUEST",
      "Only a legal_basis consent can have entry events (R4); an opt-in needs the customer's own acceptance.",
      [{ path: "entryEvents", message: "must be empty for an opt_in consent" }],
    );
  }
}
