import { env } from "cloudflare:workers";
import { it } from "vitest";
import { createApp } from "../src/http/app";
import { createTenant, DEMO_CONSENTS, send } from "./helpers";

const app = createApp({ rateLimiter: () => ({ allow: async () => true }) });
const tc = async () =>
  (await env.DB.prepare("SELECT total_changes() AS n").first<{ n: number }>())?.n;

it("explore", async () => {
  const t = await createTenant({ consents: DEMO_CONSENTS });
  const auth = { Authorization: `Bearer ${t.secretKey}`, "Content-Type": "application/json" };
  console.log("tc0", await tc());
  await send(
    new Request("https://api.test/trpc/profile.update", {
      method: "POST",
      headers: auth,
      body: '{"profileId":"a","changes":[{"consent":"sms","status":"accepted"}]}',
    }),
    app,
  );
  console.log("tc1", await tc());
  await send(
    new Request("https://api.test/trpc/profile.update", {
      method: "POST",
      headers: auth,
      body: '{"profileId":"a","changes":[{"consent":"sms","status":"accepted"}]}',
    }),
    app,
  );
  console.log("tc2", await tc());
  const tables = [
    "tenant",
    "api_key",
    "signing_key",
    "consent",
    "consent_state",
    "consent_history",
    "consent_version",
    "history_head",
    "expiry_run",
    "expiry_run_consent",
  ];
  const stmts = tables.map((x) =>
    env.DB.prepare(
      `SELECT * FROM ${x} WHERE ${x === "tenant" ? "id" : "tenant_id"} = ? ORDER BY 1, 2, 3, 4`,
    ).bind(t.tenantId),
  );
  let start = Date.now();
  for (let i = 0; i < 200; i++) await env.DB.batch(stmts);
  console.log("200 batch snapshots", Date.now() - start);
  start = Date.now();
  for (let i = 0; i < 200; i++) await tc();
  console.log("200 tc", Date.now() - start);
  start = Date.now();
  for (let i = 0; i < 200; i++)
    await send(
      new Request("https://api.test/trpc/profile.update", {
        method: "POST",
        headers: auth,
        body: '{"profileId":"a","changes":[{"consent":"sms","status":"accepted"}]}',
      }),
      app,
    );
  console.log("200 noop updates", Date.now() - start, await tc());
  start = Date.now();
  for (let i = 0; i < 200; i++)
    await send(
      new Request("https://api.test/trpc/profile.update", {
        method: "POST",
        headers: auth,
        body: '{"profileId":"a","changes":[{"consent":"sms","status":1}]}',
      }),
      app,
    );
  console.log("200 invalid updates", Date.now() - start, await tc());
}, 120_000);
