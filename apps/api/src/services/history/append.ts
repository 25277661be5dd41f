import type { HistoryEntry } from "@lapse/consent";
import { boundStatement } from "../../db/batch.ts";
import { reasonCode, statusCode } from "../../db/codes.ts";
import { NEXT_INDEX } from "../profiles/states.ts";
import type { DataContext } from "../shards/route.ts";

/** A history entry as written: the domain's line and its consent's number. */
export interface HistoryWrite {
  /** consent.num */
  consent: number;
  entry: HistoryEntry;
}

/**
 * The statements that append status-change entries to the tenant's log (R11), in the order
 * given: they belong in the same batch as the state changes they record, after the profiles'
 * `ensureProfiles`. Each entry takes the next leaf index in the statement that inserts it
 * (D1 runs one write transaction at a time, so indices stay dense); its actor is a small
 * integer (`actor` table). Nothing is read first and no hash is computed here: the sealing
 * job integrates new entries into the Merkle tree and signs a checkpoint (services/proof).
 */
export function appendHistory(
  ctx: DataContext,
  writes: readonly HistoryWrite[],
): D1PreparedStatement[] {
  if (writes.length === 0) {
    return [];
  }
  const actors = [...new Set(writes.map((w) => w.entry.actor))];
  const rows = JSON.stringify(
    writes.map(({ consent, entry: e }) => ({
      p: e.profileId,
      c: consent,
      v: e.consentVersion,
      f: statusCode(e.from),
      t: statusCode(e.to),
      r: reasonCode(e.reason),
      a: e.actor,
      o: e.occurredAt,
      at: e.recordedAt,
    })),
  );
  return [
    ensureActors(ctx, actors),
    boundStatement(
      ctx.data,
      `INSERT INTO entry (tenant, idx, kind, profile, consent, version, from_status, to_status,
         reason, actor, occurred_at, recorded_at)
       SELECT ?1, ${NEXT_INDEX} + row_number() OVER (ORDER BY j.key), 1, p.id,
         j.value ->> '$.c', j.value ->> '$.v', j.value ->> '$.f', j.value ->> '$.t',
         j.value ->> '$.r', a.id, j.value ->> '$.o', j.value ->> '$.at'
       FROM json_each(?2) AS j
       CROSS JOIN profile AS p ON p.tenant = ?1 AND p.external_id = j.value ->> '$.p'
       JOIN actor AS a ON a.tenant = ?1 AND a.name = j.value ->> '$.a'`,
      ctx.tenantNum,
      rows,
    ),
  ];
}

/** Gives each actor name of the tenant its row, if it has none. */
export function ensureActors(
  ctx: Pick<DataContext, "data" | "tenantNum">,
  names: readonly string[],
): D1PreparedStatement {
  return boundStatement(
    ctx.data,
    `INSERT INTO actor (tenant, name) SELECT ?1, value FROM json_each(?2) WHERE true
     ON CONFLICT (tenant, name) DO NOTHING`,
    ctx.tenantNum,
    JSON.stringify(names),
  );
}
