import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "../db/schema";

/** Drizzle for typed queries; `$client` is the raw D1 binding, for batches of bulk SQL. */
export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database };

/**
 * What every service gets: never a Hono or tRPC context. `tenantId` comes from the credential
 * (R12); `actor` names the key (or `cron`) for the proof trail (R11); `now` is passed in so a
 * service is reproducible.
 */
export interface ServiceContext {
  db: Db;
  tenantId: string;
  actor: string;
  now: number;
}
