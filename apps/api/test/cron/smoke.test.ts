import { describe, expect, it } from "vitest";
import { fireCron } from "../support/cron.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day, nightOf } from "../support/time.ts";

describe("expiry smoke", () => {
  it("R10: a cron run at T lapses a state whose clock is older than days", async () => {
    const A = day("2034-01-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.activate("sms"); // 180 days
    await api.set("p1", { sms: "accepted" });

    const runId = await fireCron(nightOf(A + 180));
    expect((await api.profile("p1")).sms).toMatchObject({ status: "unknown" });
    const runs = await api.ok<{ id: string; expired: number; status: string }[]>(
      "query",
      "admin.runs.list",
    );
    expect(runs[0]).toMatchObject({ id: runId, expired: 1, status: "succeeded" });
    expect((await api.history("p1")).at(-1)?.reason).toBe("expired");
  });
});
