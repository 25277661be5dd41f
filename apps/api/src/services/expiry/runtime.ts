import type { Db, ShardResolver } from "../../db/client.ts";

/**
 * What the nightly machinery runs on (R10): the databases, the wall clock (for leases and time
 * budgets, never for T), the chunk size and the consent lease's lifetime. Built once per
 * isolate by the Worker's entry points (src/cron/runtime.ts).
 */
export interface RunContext {
  /** The control plane: consents, the shard map, the run ledger, the nightly lease. */
  db: Db;
  /** The data shards by binding name: where the states, the logs and the consent leases are. */
  shard: ShardResolver;
  clock: () => number;
  chunkSize: number;
  leaseMs: number;
  /**
   * Seals the log of one tenant (by id) or of all into their trees (R11, services/proof); the
   * nightly run calls it at its end. Absent: no sealing (a runtime without proof keys).
   */
  seal?: (tenantId?: string) => Promise<unknown>;
}

/** The message of the fan-out queue: one (shard, tenant, consent) of one run. */
export interface ExpiryMessage {
  runId: string;
  tenantId: string;
  consentId: string;
  /** The data shard (its binding) whose states of the consent this message expires. */
  shard: string;
  scheduledAt: number;
}

/** Where the per-consent work goes: done in this invocation, or sent to Cloudflare Queues. */
export interface FanOut {
  send(messages: ExpiryMessage[]): Promise<void>;
}

/** The runtime a run needs: its context and, with `EXPIRY_MODE=queue`, the fan-out. */
export interface ExpiryRuntime {
  runContext: RunContext;
  fanOut: FanOut | undefined;
}

/** How long a consumer works on one message before it enqueues a continuation. */
export const CONSUMER_BUDGET_MS = 20_000;
/** A consent lease outlives a chunk by far; a dead runner's lease lapses after it. */
export const CONSENT_LEASE_MS = 60_000;

/** Cloudflare Queues as the fan-out; `sendBatch` takes at most 100 messages. */
export function queueFanOut(queue: Queue<ExpiryMessage>): FanOut {
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += 100) {
        await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
      }
    },
  };
}
