import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { createDb } from "../db/client";
import { fanOutOf, runContext } from "../expiry-runtime";
import { newId } from "../ids";
import type { Db } from "../services/context";
import { authenticate } from "../services/keys/authenticate";
import { authenticateSession } from "../services/sessions/sessions";
import type { RateLimiter, ServerDeps, TrpcContext } from "../trpc/context";
import { appRouter } from "../trpc/router";
import { CONSOLE_HEADER, consoleSessionRoutes, SESSION_COOKIE } from "./console-session";

/** The most calls one tRPC batch request may carry. */
export const MAX_TRPC_BATCH = 10;

/** String vars, validated once at the entry. */
const Vars = z.object({
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(524_288),
});

export interface AppOptions {
  /** Replaces the Rate Limiting binding (tests). */
  rateLimiter?: (env: Env) => RateLimiter;
  /** Replaces the wall clock (tests). */
  now?: () => number;
}

export type AppEnv = { Bindings: Env; Variables: { requestId: string; db: Db } };

/** Uses the Workers Rate Limiting binding when bound; otherwise lets everything through. */
function bindingRateLimiter(env: Env): RateLimiter {
  const { KEY_RATE_LIMITER: keys, PROFILE_RATE_LIMITER: profiles } = env as Partial<Env>;
  return {
    allow: async (key) => (keys ? (await keys.limit({ key })).success : true),
    allowProfile: async (key) => (profiles ? (await profiles.limit({ key })).success : true),
  };
}

function envelope(code: string, message: string, requestId: string) {
  return { code, message, requestId };
}

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
    if (!origin) return c.body(null, 204);
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "GET, POST",
      "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Lapse-Profile-Token",
      "Access-Control-Max-Age": "600",
      Vary: "Origin",
    });
  });

  app.use("/trpc/*", async (c, next) => {
    const { MAX_BODY_BYTES } = Vars.parse(c.env);
    return bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          envelope(
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
      envelope("METHOD_NOT_ALLOWED", "Queries are GET, mutations are POST.", c.get("requestId")),
      405,
      { Allow: "GET, POST, OPTIONS" },
    ),
  );
  app.post("/trpc/*", async (c, next) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      return c.json(
        envelope(
          "UNSUPPORTED_MEDIA_TYPE",
          "Send mutations as JSON: Content-Type: application/json.",
          c.get("requestId"),
        ),
        415,
      );
    }
    await next();
  });

  app.all("/trpc/*", async (c) => {
    const requestId = c.get("requestId");
    const db = c.get("db");
    const at = now();
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    const session = bearer ? undefined : getCookie(c, SESSION_COOKIE);
    let auth: TrpcContext["auth"] = null;
    let signingSecrets: ServerDeps["signingSecrets"] = new Map();
    if (bearer) {
      const found = await authenticate({ db, input: { key: bearer }, now: at });
      auth = found.ok ? { ok: true, credential: found.credential } : found;
      signingSecrets = found.signingSecrets ?? signingSecrets;
    } else if (session && c.req.header(CONSOLE_HEADER) !== "1") {
      auth = { ok: false, message: `Console calls must send the ${CONSOLE_HEADER}: 1 header.` };
    } else if (session) {
      const resolved = await authenticateSession({ db, input: { token: session }, now: at });
      auth = resolved.ok ? { ok: true, credential: resolved.credential } : resolved;
    }
    const rateLimiter = (options.rateLimiter ?? bindingRateLimiter)(c.env);
    return fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      maxBatchSize: MAX_TRPC_BATCH,
      createContext: ({ resHeaders }): TrpcContext => {
        const deps: ServerDeps = {
          db,
          rateLimiter,
          resHeaders,
          signingSecrets,
          expiry: { runContext: runContext(c.env, now), fanOut: fanOutOf(c.env) },
        };
        return {
          requestId,
          now: at,
          auth,
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
  });

  consoleSessionRoutes(app, now);
  // Reached only when the console's static assets are not there (see wrangler.jsonc `assets`).
  app.get("/console", (c) =>
    c.json(
      envelope(
        "NOT_FOUND",
        "The admin console is not built: run `pnpm --filter @lapse/console build` (pnpm dev does).",
        c.get("requestId"),
      ),
      404,
    ),
  );

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.notFound((c) =>
    c.json(
      envelope("NOT_FOUND", "No such route. The API lives under /trpc.", c.get("requestId")),
      404,
    ),
  );
  app.onError((error, c) => {
    console.error(`[${c.get("requestId")}] unhandled`, error);
    return c.json(envelope("INTERNAL_SERVER_ERROR", "Internal error", c.get("requestId")), 500);
  });
  return app;
}
