import type { apiKey } from "../../db/schema.ts";
import { iso, isoOrNull } from "../iso.ts";
import type { KeyScope } from "./material.ts";

/** A key as the API shows it: never the key itself, only its prefix. */
export function keyView(row: typeof apiKey.$inferSelect) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as KeyScope[],
    createdAt: iso(row.createdAt),
    expiresAt: isoOrNull(row.expiresAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}
