import { z } from "zod";
import { createDb } from "./db/client";
import type { RunContext } from "./services/expiry/expire-consent";
import type { ExpiryMessage, FanOut } from "./services/expiry/run-nightly";

/** The expiry settings among the Worker's vars, validated once. */
const ExpiryVars = z.object({
  EXPIRY_MODE: z.enum(["inline", "queue"]).default("inline"),
  EXPIRY_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(5000),
});

/** How long a consumer works on one message before it enqueues a continuation. */
export const CONSUMER_BUDGET_MS = 20_000;
/** A consent lease outlives a chunk by far; a dead runner's lease lapses after it. */
export const CONSENT_LEASE_MS = 60_000;

export function runContext(env: Env, clock: () => number = Date.now): RunContext {
  const vars = ExpiryVars.parse(env);
  return {
    db: createDb(env.DB),
    clock,
    chunkSize: vars.EXPIRY_CHUNK_SIZE,
    leaseMs: CONSENT_LEASE_MS,
  };
}

/** The queue when EXPIRY_MODE is "queue": a switch of configuration, not of code. */
export function fanOutOf(env: Env): FanOut | undefined {
  if (ExpiryVars.parse(env).EXPIRY_MODE !== "queue") return undefined;
  return queueFanOut(env.EXPIRY_QUEUE);
}

export function queueFanOut(queue: Queue<ExpiryMessage>): FanOut {
  return {
    async send(messages) {
      // sendBatch takes at most 100 messages.
      for (let i = 0; i < messages.length; i += 100) {
        await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
      }
    },
  };
}
