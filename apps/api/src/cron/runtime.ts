import { createDb } from "../db/client.ts";
import { shardResolver } from "../db/shards.ts";
import { varsOf } from "../env.ts";
import { CONSENT_LEASE_MS, type ExpiryRuntime, queueFanOut } from "../services/expiry/runtime.ts";
import { proofKeysOf } from "../services/proof/keys.ts";
import { sealAll } from "../services/proof/seal.ts";

/**
 * The nightly machinery of an env: the control plane and the data shards, the wall clock, the chunk size, the sealing of the logs
 * at the end of a run, and the queue when `EXPIRY_MODE` is "queue" (a switch of configuration,
 * not of code).
 */
export function buildExpiryRuntime(env: Env, clock: () => number = Date.now): ExpiryRuntime {
  const vars = varsOf(env);
  const db = createDb(env.DB);
  const shard = shardResolver(env);
  return {
    runContext: {
      db,
      shard,
      clock,
      chunkSize: vars.EXPIRY_CHUNK_SIZE,
      leaseMs: CONSENT_LEASE_MS,
      // Sealing leases and timestamps follow the wall clock, never a run's T.
      seal: (tenantId) => sealAll(db, shard, proofKeysOf(env), { clock: Date.now, tenantId }),
    },
    fanOut: vars.EXPIRY_MODE === "queue" ? queueFanOut(env.EXPIRY_QUEUE) : undefined,
  };
}

/**
 * The runtime built once per env object (an isolate keeps one env) with this clock: the
 * entry points call the returned function on every invocation.
 */
export function expiryRuntimeCache(clock: () => number = Date.now): (env: Env) => ExpiryRuntime {
  const built = new WeakMap<Env, ExpiryRuntime>();
  return (env) => {
    let runtime = built.get(env);
    if (!runtime) {
      runtime = buildExpiryRuntime(env, clock);
      built.set(env, runtime);
    }
    return runtime;
  };
}
