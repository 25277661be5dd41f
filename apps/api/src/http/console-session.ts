import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { type ApiErrorCode, errorEnvelope } from "../error-codes.ts";
import { iso, isoOrNull } from "../services/iso.ts";
import {
  authenticateSession,
  SESSION_TTL_MS,
  signIn,
  signOut,
} from "../services/sessions/index.ts";
import type { AppEnv } from "./env.ts";

export const SESSION_COOKIE = "lapse_session";
/** Cookie-authenticated calls must carry it: a cross-site form cannot set a custom header. */
export const CONSOLE_HEADER = "X-Lapse-Console";

const SignInBody = z.strictObject({ key: z.string().min(1).max(200) });

function fail(c: Context<AppEnv>, status: 400 | 401, code: ApiErrorCode, message: string) {
  return c.json(errorEnvelope(code, message, c.get("requestId")), status);
}

/**
 * The admin console's sign-in (the key is exchanged for a short-lived HttpOnly cookie and
 * never kept by the browser), session probe and sign-out.
 */
export function consoleSessionRoutes(app: Hono<AppEnv>, now: () => number) {
  const context = (c: Context<AppEnv>) => ({ db: c.get("db"), now: now() });

  app.post("/console/api/session", async (c) => {
    const body = SignInBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) {
      return fail(c, 400, "BAD_REQUEST", 'Send { "key": "lapse_sk_…" }.');
    }
    const result = await signIn({ ctx: context(c), input: body.data });
    if (!result.ok) {
      return fail(c, 401, "UNAUTHORIZED", result.message);
    }
    setCookie(c, SESSION_COOKIE, result.token, {
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
      path: "/",
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.json({
      tenant: result.tenantName,
      keyPrefix: result.keyPrefix,
      expiresAt: iso(result.expiresAt),
    });
  });

  app.get("/console/api/session", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const auth = token ? await authenticateSession({ ctx: context(c), input: { token } }) : null;
    if (!auth?.ok) {
      return fail(c, 401, "UNAUTHORIZED", auth?.message ?? "Not signed in.");
    }
    return c.json({
      tenant: auth.tenantName ?? "",
      keyId: auth.credential.keyId,
      expiresAt: isoOrNull(auth.expiresAt ?? null),
    });
  });

  app.delete("/console/api/session", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      await signOut({ ctx: context(c), input: { token } });
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.body(null, 204);
  });
}
