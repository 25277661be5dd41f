import { z } from "zod";

/**
 * The Worker's string vars (wrangler.jsonc `vars`), validated once per env object: the
 * transports and the cron read the same parsed values.
 */
export const Vars = z.object({
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(524_288),
  /** `inline`: the cron expires every consent itself; `queue`: it fans out on EXPIRY_QUEUE. */
  EXPIRY_MODE: z.enum(["inline", "queue"]).default("inline"),
  EXPIRY_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(5000),
  /**
   * The transparency log's checkpoint origin prefix (R11): a tenant's log is
   * `<PROOF_ORIGIN>/<tenant id>`. The log's keys are secrets, read by services/proof/keys.ts:
   * PROOF_SIGNING_KEY, PROOF_VERIFIER_KEYS (optional) and ERASURE_KEY.
   */
  PROOF_ORIGIN: z
    .string()
    .regex(/^[^\s\p{Cc}]+$/u, "a host-like name without spaces or control characters")
    .default("lapse.example"),
});
export type Vars = z.infer<typeof Vars>;

const parsed = new WeakMap<Env, Vars>();

/** The vars of an env, parsed on first use; a bad value fails loudly at the entry. */
export function varsOf(env: Env): Vars {
  let vars = parsed.get(env);
  if (!vars) {
    vars = Vars.parse(env);
    parsed.set(env, vars);
  }
  return vars;
}
