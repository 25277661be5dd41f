import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { buildExpiryRuntime } from "../../src/cron/runtime.ts";
import { runNightlyExpiry } from "../../src/services/expiry/run-nightly.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { send } from "../support/http.ts";
import { retireTenants, tenantAt } from "../support/tenant-api.ts";
import { Clock, clockedApp, iso } from "../support/time.ts";

afterEach(retireTenants);

const HOUR = 3_600_000;

interface Health {
  lastSucceededRun: { id: string; scheduledAt: string; finishedAt: string } | null;
  latestRun: { id: string; status: string } | null;
  overdue: boolean;
  overdueAfterHours: number;
  failedConsents: { consent: string; runId: string; error: string | null }[];
}

describe("admin.runs.health and /healthz?deep=1 (R10)", () => {
  it("R10: a night is overdue when none succeeded in the last 26 h, for the tenant and for an uptime monitor", async () => {
    const clock = new Clock(Date.now());
    const api = await tenantAt(clock, DEMO_CONSENTS);
    const health = () => api.ok<Health>("query", "admin.runs.health");
    const deep = async () => {
      const response = await send(
        new Request("http://lapse.test/healthz?deep=1"),
        clockedApp(clock),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    // A new tenant has had no night yet, and none is overdue.
    expect(await health()).toEqual({
      lastSucceededRun: null,
      latestRun: null,
      overdue: false,
      overdueAfterHours: 26,
      failedConsents: [],
    });
    expect(await deep()).toEqual({
      status: 200,
      body: { ok: true, nightly: { lastSucceededAt: null, overdue: false, overdueAfterHours: 26 } },
    });

    // 27 h later with no run: overdue, and the monitor gets a 503 that names no tenant.
    clock.now += 27 * HOUR;
    expect((await health()).overdue).toBe(true);
    const missed = await deep();
    expect(missed).toMatchObject({ status: 503, body: { ok: false, nightly: { overdue: true } } });
    expect(JSON.stringify(missed.body)).not.toContain(api.tenantId);

    // The night runs: nothing is overdue until 26 h after it.
    const rc = buildExpiryRuntime(env, () => clock.now).runContext;
    const night = await runNightlyExpiry(rc, { scheduledAt: clock.now, trigger: "cron" });
    expect(night).toMatchObject({ started: true, status: "succeeded" });
    const runId = night.started ? night.runId : "";
    expect(await health()).toMatchObject({
      lastSucceededRun: { id: runId, finishedAt: iso(clock.now) },
      latestRun: { id: runId, status: "succeeded" },
      overdue: false,
    });
    expect(await deep()).toEqual({
      status: 200,
      body: {
        ok: true,
        nightly: { lastSucceededAt: iso(clock.now), overdue: false, overdueAfterHours: 26 },
      },
    });
    clock.now += 25 * HOUR;
    expect((await health()).overdue).toBe(false);
    clock.now += 2 * HOUR;
    expect((await health()).overdue).toBe(true);
    expect((await deep()).status).toBe(503);
  });

  it("R10: the plain /healthz stays a cheap liveness answer", async () => {
    const response = await send(new Request("http://lapse.test/healthz"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});
