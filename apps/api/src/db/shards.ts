import { createDb, type ShardResolver } from "./client.ts";

/** A data shard's binding name: `SHARD_<n>` in wrangler.jsonc (docs/scaling.md). */
export const SHARD_BINDING = /^SHARD_[0-9]{1,4}$/;

/**
 * The data shards of an env by binding name. A name the shard map holds but this deployment
 * does not bind (a shard added without a redeploy) fails loudly, naming the binding: the
 * request gets a 500 and nothing is written anywhere.
 */
export function shardResolver(env: Env): ShardResolver {
  let resolve = resolvers.get(env);
  if (!resolve) {
    resolve = resolverOf(env);
    resolvers.set(env, resolve);
  }
  return resolve;
}

const resolvers = new WeakMap<Env, ShardResolver>();

function resolverOf(env: Env): ShardResolver {
  const bindings = env as unknown as Record<string, unknown>;
  return (binding) => {
    const d1 = SHARD_BINDING.test(binding) ? bindings[binding] : undefined;
    if (typeof d1 !== "object" || d1 === null || !("prepare" in d1)) {
      throw new Error(
        `The shard map names the data shard ${binding}, but this Worker has no D1 binding of that name: add it to wrangler.jsonc and deploy (docs/scaling.md).`,
      );
    }
    return createDb(d1 as D1Database);
  };
}

/** The binding names of the data shards an env has (wrangler.jsonc), in order. */
export function boundShards(env: Env): string[] {
  return Object.keys(env)
    .filter((name) => SHARD_BINDING.test(name))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
}
