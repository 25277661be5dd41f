import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import {
  authenticateSession,
  SESSION_TTL_MS,
  signIn,
  signOut,
} from "../services/sessions/sessions";
import type { AppEnv } from "./app";

export const SESSION_COOKIE = "lapse_session";
/** Cookie-authenticated calls must carry it: a cross-site form cannot set a custom header. */
export const CONSOLE_HEADER = "X-Lapse-Console";

const SignInBody = z.strictObject({ key: z.string().min(1).max(200) });

function fail(c: Context<AppEnv>, status: 400 | 401, code: string, message: string) {
  return c.json({ code, message, requestId: c.get("requestId") }, status);
}

/**
 * The admin console's sign-in (issue: the key is exchanged for a short-lived HttpOnly cookie and
 * never kept by the browser), session probe and sign-out.
 */
export function consoleSessionRoutes(app: Hono<AppEnv>, now: () => number) {
  app.post("/console/api/session", async (c) => {
    const body = SignInBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return fail(c, 400, "BAD_REQUEST", 'Send { "key": "lapse_sk_…" }.');
    const result = await signIn({ db: c.get("db"), input: body.data, now: now() });
    if (!result.ok) return fail(c, 401, "UNAUTHORIZED", result.message);
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
      expiresAt: new Date(result.expiresAt).toISOString(),
    });
  });

  app.get("/console/api/session", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const auth = token
      ? await authenticateSession({ db: c.get("db"), input: { token }, now: now() })
      : null;
    if (!auth?.ok) return fail(c, 401, "UNAUTHORIZED", auth?.message ?? "Not signed in.");
    return c.json({
      tenant: auth.tenantName ?? "",
      keyId: auth.credential.keyId,
      expiresAt: auth.expiresAt === undefined ? null : new Date(auth.expiresAt).toISOString(),
    });
  });

  app.delete("/console/api/session", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await signOut({ db: c.get("db"), input: { token }, now: now() });
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
    return c.body(null, 204);
  });
}
