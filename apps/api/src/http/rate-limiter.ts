import type { RateLimiter } from "../trpc/context.ts";

/** Uses the Workers Rate Limiting bindings when bound; otherwise lets everything through. */
export function bindingRateLimiter(env: Env): RateLimiter {
  const { KEY_RATE_LIMITER: keys, PROFILE_RATE_LIMITER: profiles } = env as Partial<Env>;
  return {
    allow: async (key) => (keys ? (await keys.limit({ key })).success : true),
    allowProfile: async (key) => (profiles ? (await profiles.limit({ key })).success : true),
  };
}
