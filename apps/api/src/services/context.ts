import type { Db } from "../db/client.ts";
import type { TenantShard } from "./shards/route.ts";

/**
 * What a service gets before a tenant is known (authenticating a key or a console session):
 * never a Hono or tRPC context. `now` is passed in so a service is reproducible.
 */
export interface UnscopedContext {
  /** The control plane (tenants, keys, catalogue, runs, the shard map). */
  db: Db;
  now: number;
}

/**
 * What every tenant-scoped service gets. `tenantId` comes from the credential (R12); `actor`
 * names the key (or `cron`) for the proof trail (R11).
 */
export interface ServiceContext extends UnscopedContext {
  tenantId: string;
  /** The tenant's number in the data tables (profiles, states, log). */
  tenantNum: number;
  actor: string;
  /**
   * The tenant's data shards by slot (SPEC §6): where its profiles, states and logs live.
   * From the credential's tenant, never from the input (R12); services/shards/route.ts picks
   * a profile's shard.
   */
  shards: readonly TenantShard[];
  /**
   * `tenant:reshard` is copying this tenant's data to new shards: writes to its data shards
   * are refused (`requireWritable`) until it has switched the shard map.
   */
  resharding: boolean;
}

/** What a tenant-scoped service takes: `verb({ ctx, input }: ServiceCall<VerbInput>)`. */
export interface ServiceCall<Input> {
  ctx: ServiceContext;
  input: Input;
}
