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
