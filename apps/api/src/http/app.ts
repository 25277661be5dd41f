import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { expiryRuntimeCache } from "../cron/runtime.ts";
import { createDb } from "../db/client.ts";
import { varsOf } from "../env.ts";
import { errorEnvelope } from "../error-codes.ts";
import { newId } from "../ids.ts";
import { proofKeysOf } from "../services/proof/keys.ts";
import { deploymentHealth } from "../services/runs/health.ts";
import type { RateLimiter } from "../trpc/context.ts";
import { consoleSessionRoutes } from "./console-session.ts";
import { resolveCredentials } from "./credentials.ts";
import type { AppEnv } from "./env.ts";
import { bindingRateLimiter } from "./rate-limiter.ts";
import { trpcHandler } from "./trpc-handler.ts";

export interface AppOptions {
  /** Replaces the Rate Limiting binding (tests). */
  rateLimiter?: (env: Env) => RateLimiter;
  /** Replaces the wall clock (tests). */
  now?: () => number;
}

/**
 * The Worker's HTTP side: request ids and security headers on everything; `/trpc/*` behind
 * CORS preflights, a body limit, method and media-type checks and the credentials middleware;
 * the console's session routes; one JSON envelope for every error outside tRPC.
 */
export function createApp(options: AppOptions = {}) {
  const now = options.now ?? Date.now;
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const requestId = newId("req");
    c.set("requestId", requestId);
    c.set("db", createDb(c.env.DB));
    await next();
    c.res.headers.set("X-Request-Id", requestId);
  });
  app.use(secureHeaders({ crossOriginResourcePolicy: "cross-origin" }));

  // Preflights carry no credentials, so the tenant's allow-list is checked on the call itself.
  app.options("/trpc/*", (c) => {
    const origin = c.req.header("Origin");
    if (!origin) {
      return c.body(null, 204);
    }
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "GET, POST",
      "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Lapse-Profile-Token",
      "Access-Control-Max-Age": "600",
      Vary: "Origin",
    });
  });

  app.use("/trpc/*", async (c, next) => {
    const { MAX_BODY_BYTES } = varsOf(c.env);
    return bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          errorEnvelope(
            "PAYLOAD_TOO_LARGE",
            `Request bodies are limited to ${MAX_BODY_BYTES} bytes; send smaller batches.`,
            c.get("requestId"),
          ),
          413,
        ),
    })(c, next);
  });

  // tRPC would refuse these before a context exists, without our envelope or request id.
  app.on(["PUT", "PATCH", "DELETE"], "/trpc/*", (c) =>
    c.json(
      errorEnvelope(
        "METHOD_NOT_ALLOWED",
        "Queries are GET, mutations are POST.",
        c.get("requestId"),
      ),
      405,
      { Allow: "GET, POST, OPTIONS" },
    ),
  );
  app.post("/trpc/*", async (c, next) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      return c.json(
        errorEnvelope(
          "UNSUPPORTED_MEDIA_TYPE",
          "Send mutations as JSON: Content-Type: application/json.",
          c.get("requestId"),
        ),
        415,
      );
    }
    await next();
  });

  app.use("/trpc/*", resolveCredentials(now));
  app.all(
    "/trpc/*",
    trpcHandler({
      now,
      rateLimiter: options.rateLimiter ?? bindingRateLimiter,
      expiryRuntime: expiryRuntimeCache(now),
    }),
  );

  consoleSessionRoutes(app, now);
  // Reached only when the console's static assets are not there (see wrangler.jsonc `assets`).
  app.get("/console", (c) =>
    c.json(
      errorEnvelope(
        "NOT_FOUND",
        "The admin console is not built: run `pnpm --filter @lapse/console build` (pnpm dev does).",
        c.get("requestId"),
      ),
      404,
    ),
  );

  // `?deep=1`: also whether the nightly run keeps up (a missed night is a 503 for an uptime
  // monitor); no tenant's data either way.
  app.get("/healthz", async (c) => {
    if (c.req.query("deep") === undefined) {
      return c.json({ ok: true });
    }
    const nightly = await deploymentHealth(createDb(c.env.DB), now());
    return c.json({ ok: !nightly.overdue, nightly }, nightly.overdue ? 503 : 200, {
      "Cache-Control": "no-store",
    });
  });

  // The transparency log's verifier keys (R11, docs/proof.md), for anyone checking a proof
  // offline: the current key on the first line, then the keys of earlier signing keys.
  app.get("/.well-known/lapse-proof-key", async (c) => {
    const keys = await proofKeysOf(c.env).verifierKeys();
    return c.text(`${keys.join("\n")}\n`, 200, {
      "Cache-Control": "public, max-age=300",
      "Access-Control-Allow-Origin": "*",
    });
  });

  app.notFound((c) =>
    c.json(
      errorEnvelope("NOT_FOUND", "No such route. The API lives under /trpc.", c.get("requestId")),
      404,
    ),
  );
  app.onError((error, c) => {
    console.error(`[${c.get("requestId")}] unhandled`, error);
    return c.json(
      errorEnvelope("INTERNAL_SERVER_ERROR", "Internal error", c.get("requestId")),
      500,
    );
  });
  return app;
}
