import { initTRPC, TRPCError } from "@trpc/server";
import type { ServiceContext } from "../services/context.ts";
import { ServiceError } from "../services/errors.ts";
import type { Credential } from "../services/keys/authenticate-key.ts";
import type { KeyScope } from "../services/keys/material.ts";
import type { ServerDeps, TrpcContext } from "./context.ts";
import { errorData, toTRPCError } from "./errors.ts";

const t = initTRPC.context<TrpcContext>().create({
  // NODE_ENV is not reliable on Workers: never send stack traces.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const data = errorData(error, ctx?.requestId);
    return {
      message: data.message,
      code: shape.code,
      data: {
        code: data.code,
        httpStatus: shape.data.httpStatus,
        requestId: data.requestId,
        issues: data.issues,
        path: shape.data.path,
      },
    };
  },
});

export const router = t.router;

/** Services throw ServiceError; here, once, it becomes the matching tRPC error. */
const mapServiceErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    const retryAfter = result.error.cause.retryAfterSeconds;
    if (retryAfter !== undefined) {
      (ctx.deps as ServerDeps).resHeaders.set("Retry-After", String(retryAfter));
    }
    throw toTRPCError(result.error.cause);
  }
  return result;
});

/** The one place the opaque `deps` of the root context get their type (see context.ts). */
const withDeps = t.middleware(({ ctx, next }) => next({ ctx: ctx.deps as ServerDeps }));

/** Any valid key of a tenant: resolves the tenant (R12), then the per-key rate limit and CORS. */
export const keyedProcedure = t.procedure
  .use(mapServiceErrors)
  .use(withDeps)
  .use(async ({ ctx, next }) => {
    if (!ctx.auth) {
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "Send an API key: `Authorization: Bearer lapse_sk_…` or `lapse_pk_…`.",
      });
    }
    if (!ctx.auth.ok) {
      throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.auth.message });
    }
    const credential = ctx.auth.credential;
    // CORS first: a browser on an allowed origin must be able to read every later refusal
    // (429 and its Retry-After included), not see a network error.
    if (credential.kind === "publishable" && ctx.origin !== null) {
      if (!credential.corsOrigins.includes(ctx.origin)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `Origin ${ctx.origin} is not on this tenant's allow-list for publishable keys.`,
        });
      }
      ctx.resHeaders.set("Access-Control-Allow-Origin", ctx.origin);
      ctx.resHeaders.set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id");
      ctx.resHeaders.append("Vary", "Origin");
    }
    if (!(await ctx.rateLimiter.allow(credential.keyId))) {
      ctx.resHeaders.set("Retry-After", "60");
      throw new TRPCError({
        code: "TOO_MANY_REQUESTS",
        message: "Rate limit reached for this key.",
      });
    }
    return next({ ctx: { credential } });
  });

/** A secret key with the given scope. */
export function scopedProcedure(scope: KeyScope) {
  return keyedProcedure.use(({ ctx, next }) => {
    requireScope(ctx.credential, scope);
    return next();
  });
}

export function requireScope(credential: Credential, scope: KeyScope): void {
  if (credential.kind !== "secret") {
    throw new TRPCError({
      code: "FORBIDDEN",
      message:
        "This procedure needs a secret key; publishable keys only read the catalogue and, with a profile token, one profile.",
    });
  }
  if (!credential.scopes.includes(scope)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `This key lacks the '${scope}' scope.` });
  }
}

/** What services get: never the tRPC context itself. */
export function serviceContext(
  ctx: TrpcContext & ServerDeps & { credential: Credential },
): ServiceContext {
  return {
    db: ctx.db,
    tenantId: ctx.credential.tenantId,
    tenantNum: ctx.credential.tenantNum,
    actor: ctx.credential.keyId,
    shards: ctx.credential.shards.map(({ binding, logFrom }, slot) => ({
      slot,
      binding,
      logFrom,
      db: ctx.shard(binding),
    })),
    resharding: ctx.credential.resharding,
    now: ctx.now,
  };
}
