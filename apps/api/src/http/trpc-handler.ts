import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Context } from "hono";
import { shardResolver } from "../db/shards.ts";
import type { ExpiryRuntime } from "../services/expiry/runtime.ts";
import { proofKeysOf } from "../services/proof/keys.ts";
import type { RateLimiter, ServerDeps, TrpcContext } from "../trpc/context.ts";
import { appRouter } from "../trpc/router.ts";
import type { AppEnv } from "./env.ts";

/** The most calls one tRPC batch request may carry. */
export const MAX_TRPC_BATCH = 10;

/** Serves `/trpc/*` with the credential the middleware resolved and this request's deps. */
export function trpcHandler(options: {
  now: () => number;
  rateLimiter: (env: Env) => RateLimiter;
  expiryRuntime: (env: Env) => ExpiryRuntime;
}) {
  return (c: Context<AppEnv>) => {
    const requestId = c.get("requestId");
    const at = options.now();
    return fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      maxBatchSize: MAX_TRPC_BATCH,
      createContext: ({ resHeaders }): TrpcContext => {
        const deps: ServerDeps = {
          db: c.get("db"),
          shard: shardResolver(c.env),
          rateLimiter: options.rateLimiter(c.env),
          resHeaders,
          signingSecrets: c.get("signingSecrets"),
          expiry: options.expiryRuntime(c.env),
          proof: proofKeysOf(c.env),
        };
        return {
          requestId,
          now: at,
          auth: c.get("auth"),
          profileToken: c.req.header("X-Lapse-Profile-Token") ?? null,
          origin: c.req.header("Origin") ?? null,
          deps,
        };
      },
      onError({ error, path }) {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          console.error(`[${requestId}] ${path ?? "?"} failed`, error.cause ?? error);
        }
      },
    });
  };
}
