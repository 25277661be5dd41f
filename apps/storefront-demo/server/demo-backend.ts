// The storefront's "back end", reduced to the two routes a preference centre needs. It runs in
// the Vite server process (Node), never in the browser: the tenant's signing secret and secret
// key are read here and never sent. A real shop mints the token for the signed-in customer of
// its session; this demo takes the profile id from the query string instead.

import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { signProfileToken } from "@lapse/client/server";
import type { Plugin } from "vite";

/** What `pnpm dev` writes to apps/api/.dev/demo-tenant.json (only some fields are read). */
interface DemoTenant {
  publishableKey: string;
  signingKid: string;
  signingSecret: string;
}

export interface DemoBackendOptions {
  /** The Lapse API's base URL as the browser reaches it. */
  apiUrl: string;
  /** The demo tenant file; read on every call, as `pnpm dev` may seed it after Vite started. */
  tenantFile: string;
  /** Profile-token lifetime; short, as the page asks for a new one when it runs out. */
  tokenTtlSeconds?: number;
}

/** Answer of `GET /demo-config`: everything the page may know. */
export interface DemoConfig {
  apiUrl: string;
  publishableKey: string;
}

/** Answer of `GET /demo-token?profileId=…`. */
export interface DemoToken {
  profileToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

async function readTenant(file: string): Promise<DemoTenant | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as DemoTenant;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  // Tokens are per customer and short-lived: no cache may keep them.
  res.setHeader("Cache-Control", "no-store");
  res.end(JSON.stringify(body));
}

export function demoBackendHandler(options: DemoBackendOptions) {
  const ttl = options.tokenTtlSeconds ?? 15 * 60;
  return async (req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://storefront.local");
    if (url.pathname !== "/demo-config" && url.pathname !== "/demo-token") {
      return next();
    }
    if (req.method !== "GET") {
      return send(res, 405, { message: "Use GET." });
    }

    const tenant = await readTenant(options.tenantFile);
    if (!tenant) {
      return send(res, 503, {
        message: "No demo tenant yet: start the API with `pnpm dev`, which seeds it.",
      });
    }
    if (url.pathname === "/demo-config") {
      const config: DemoConfig = { apiUrl: options.apiUrl, publishableKey: tenant.publishableKey };
      return send(res, 200, config);
    }

    const profileId = url.searchParams.get("profileId") ?? "";
    if (profileId.length < 1 || profileId.length > 128) {
      return send(res, 400, { message: "profileId must be 1 to 128 characters." });
    }
    const now = Date.now();
    const token: DemoToken = {
      profileToken: await signProfileToken({
        secret: tenant.signingSecret,
        kid: tenant.signingKid,
        profileId,
        ttlSeconds: ttl,
        now,
      }),
      expiresAt: now + ttl * 1000,
    };
    return send(res, 200, token);
  };
}

/** Serves `/demo-config` and `/demo-token` from `vite` (dev) and `vite preview`. */
export function demoBackend(options: DemoBackendOptions): Plugin {
  const handler = demoBackendHandler(options);
  const use = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    handler(req, res, next).catch(next);
  };
  return {
    name: "lapse-demo-backend",
    configureServer(server) {
      server.middlewares.use(use);
    },
    configurePreviewServer(server) {
      server.middlewares.use(use);
    },
  };
}
