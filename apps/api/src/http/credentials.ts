import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { authenticateKey } from "../services/keys/authenticate-key.ts";
import { authenticateSession } from "../services/sessions/authenticate-session.ts";
import { CONSOLE_HEADER, SESSION_COOKIE } from "./console-session.ts";
import type { AppEnv } from "./env.ts";

/**
 * Resolves who calls `/trpc/*`: a bearer key (secret or publishable; a publishable key brings
 * its tenant's profile-token secrets along), else the console's session cookie, which must
 * come with the console header (a cross-site form cannot set it). The procedures refuse a
 * missing or failed credential themselves, with tRPC's envelope.
 */
export function resolveCredentials(now: () => number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const ctx = { db: c.get("db"), now: now() };
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    const session = bearer ? undefined : getCookie(c, SESSION_COOKIE);
    c.set("auth", null);
    c.set("signingSecrets", new Map());
    if (bearer) {
      const found = await authenticateKey({ ctx, input: { key: bearer } });
      c.set("auth", found.ok ? { ok: true, credential: found.credential } : found);
      if (found.signingSecrets) {
        c.set("signingSecrets", found.signingSecrets);
      }
    } else if (session && c.req.header(CONSOLE_HEADER) !== "1") {
      c.set("auth", {
        ok: false,
        message: `Console calls must send the ${CONSOLE_HEADER}: 1 header.`,
      });
    } else if (session) {
      const resolved = await authenticateSession({ ctx, input: { token: session } });
      c.set("auth", resolved.ok ? { ok: true, credential: resolved.credential } : resolved);
    }
    await next();
  });
}
