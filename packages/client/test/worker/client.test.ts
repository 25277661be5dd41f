import { env, exports } from "cloudflare:workers";
import { provisionTenant } from "@lapse/api/provision";
import { appRouter } from "@lapse/api/router";
import { describe, expect, it } from "vitest";
import { createLapseClient, LapseError, verifyProof } from "../../src/index.ts";
import { signProfileToken } from "../../src/server.ts";

/** Every procedure path the suite called, to check that none of the router's was left out. */
const called = new Set<string>();

/** The client's fetch wired to the Worker's own entry point, recording each procedure. */
function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const path = new URL(request.url).pathname.replace(/^\/trpc\//, "");
  for (const name of path.split(",")) {
    called.add(name);
  }
  return exports.default.fetch(request);
}

async function createTenant() {
  const { statements, secrets } = await provisionTenant({
    name: `Client ${crypto.randomUUID()}`,
    now: Date.now(),
    consents: [
      {
        key: "newsletter",
        kind: "opt_in",
        title: "Newsletter",
        description: "News by email.",
        entryEvents: [],
        expiry: { days: 365, extendOn: ["email_clicked", "consent_accepted"], enabled: true },
      },
      {
        key: "order",
        kind: "legal_basis",
        title: "Orders",
        description: "Legitimate interest after an order.",
        entryEvents: ["order_placed"],
        expiry: { days: 1095, extendOn: ["order_placed"], enabled: true },
      },
    ],
  });
  await env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...s.params)));
  return secrets;
}

function server(key: string) {
  return createLapseClient({ url: "https://lapse.test/", key, fetch: workerFetch });
}

async function rejection(promise: Promise<unknown>): Promise<LapseError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LapseError);
    return error as LapseError;
  }
  throw new Error("expected the call to fail");
}

describe("@lapse/client against the real Worker", () => {
  it("R2: a storefront reads the catalogue and changes its own profile with a profile token", async () => {
    const tenant = await createTenant();
    const storefront = createLapseClient({
      url: "https://lapse.test",
      key: tenant.publishableKey,
      fetch: workerFetch,
      profileToken: () =>
        signProfileToken({
          secret: tenant.signingSecret,
          kid: tenant.signingKid,
          profileId: "cust-1",
        }),
    });
    const catalogue = await storefront.catalog.list.query();
    expect(catalogue.map((c) => c.key)).toEqual(["newsletter", "order"]);

    const updated = await storefront.profile.update.mutate({
      profileId: "cust-1",
      changes: [{ consent: "newsletter", status: "accepted" }],
    });
    const newsletter = updated.consents.find((c) => c.consent === "newsletter");
    expect(newsletter?.status).toBe("accepted");
    expect(newsletter?.expiresOn).not.toBeNull();

    const profile = await storefront.profile.get.query({ profileId: "cust-1" });
    expect(profile.consents.find((c) => c.consent === "newsletter")?.status).toBe("accepted");
    const history = await storefront.profile.history.query({ profileId: "cust-1" });
    expect(history.items[0]).toMatchObject({
      consent: "newsletter",
      to: "accepted",
      reason: "customer",
    });

    const other = await rejection(storefront.profile.get.query({ profileId: "cust-2" }));
    expect(other.code).toBe("FORBIDDEN");
    expect(other.httpStatus).toBe(403);
  });

  it("R3: a refused legal basis surfaces as LapseError LEGAL_BASIS_REFUSED with the bad item's path", async () => {
    const tenant = await createTenant();
    const lapse = server(tenant.secretKey);
    await lapse.profile.update.mutate({
      profileId: "p",
      changes: [{ consent: "order", status: "refused" }],
    });
    const error = await rejection(
      lapse.profile.update.mutate({
        profileId: "p",
        changes: [{ consent: "order", status: "accepted" }],
      }),
    );
    expect(error.code).toBe("LEGAL_BASIS_REFUSED");
    expect(error.httpStatus).toBe(409);
    expect(error.requestId).toMatch(/^req_/);
    expect(error.issues).toEqual([{ path: "changes.0.status", message: expect.any(String) }]);
  });

  it("R4, R5: events enter the order legal basis and report counts", async () => {
    const tenant = await createTenant();
    const lapse = server(tenant.secretKey);
    const result = await lapse.events.track.mutate({
      events: [
        { profileId: "p", type: "order_placed", occurredAt: new Date().toISOString() },
        // A scanner's click (R5): ignored, and counted.
        {
          profileId: "p",
          type: "email_clicked",
          occurredAt: new Date().toISOString(),
          userAgent: "curl/8.5.0",
        },
      ],
    });
    expect(result).toEqual({
      events: 2,
      ignored: { total: 1, automated: 0, bot: 1, tooSoon: 0 },
      extended: 0,
      entered: 1,
    });
    const bad = await rejection(
      lapse.events.track.mutate({
        events: [{ profileId: "p", type: "order_placed", occurredAt: "2026-02-30T00:00:00Z" }],
      }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.issues[0]?.path).toBe("events.0.occurredAt");
  });

  it("R7–R9: an administrator manages the catalogue and expiry through the client", async () => {
    const tenant = await createTenant();
    const admin = server(tenant.secretKey);
    const created = await admin.admin.consents.create.mutate({
      key: "sms",
      kind: "opt_in",
      title: "SMS",
    });
    expect(created).toMatchObject({ key: "sms", version: 1, expiry: null });
    expect(
      (await admin.admin.consents.update.mutate({ key: "sms", title: "SMS offers" })).version,
    ).toBe(2);
    expect((await admin.admin.consents.list.query()).map((c) => c.key)).toContain("sms");

    await admin.admin.expiry.configure.mutate({
      consent: "sms",
      days: 30,
      extendOn: ["sms_clicked"],
    });
    const activated = await admin.admin.expiry.activate.mutate({ consent: "sms" });
    expect(activated).toMatchObject({ changed: true, clocksReset: true });
    const refused = await rejection(
      admin.admin.expiry.configure.mutate({ consent: "sms", extendOn: ["email_clicked"] }),
    );
    expect(refused.code).toBe("EXPIRY_ACTIVE");
    const reconfigured = await admin.admin.expiry.reconfigure.mutate({
      consent: "sms",
      extendOn: ["email_clicked"],
    });
    expect(reconfigured.clocksReset).toBe(true);
    const forecast = await admin.admin.expiry.forecast.query({ consent: "sms", horizonDays: 7 });
    expect(forecast.days).toHaveLength(7);
    const preview = await admin.admin.expiry.preview.query({
      consent: "newsletter",
      days: 30,
      extendOn: [],
      horizonDays: 31,
    });
    expect(preview.days).toHaveLength(31);
    const upcoming = await admin.admin.expiry.upcoming.query({ consent: "sms", withinDays: 30 });
    expect(upcoming).toEqual({ items: [], nextCursor: null });
    expect(
      (await admin.admin.expiry.deactivate.mutate({ consent: "sms" })).consent.expiry?.enabled,
    ).toBe(false);
    expect((await admin.admin.consents.archive.mutate({ key: "sms" })).archivedAt).not.toBeNull();
  });

  it("import, runs, the change feed, the proof (R11), erasure (R13) and keys are reachable with their types", async () => {
    const tenant = await createTenant();
    const admin = server(tenant.secretKey);
    const imported = await admin.admin.profiles.import.mutate({
      items: [
        {
          profileId: "old",
          consent: "newsletter",
          status: "accepted",
          changedAt: "2020-01-01T00:00:00Z",
        },
      ],
    });
    expect(imported).toEqual({ imported: 1, unchanged: 0 });

    // Activated today with 365 days: nothing can be due yet, so the run skips the consent (R10).
    const run = await admin.admin.runs.trigger.mutate({});
    expect(run).toMatchObject({ status: "succeeded", trigger: "admin", perConsent: [] });
    expect((await admin.admin.runs.get.query({ id: run.id })).id).toBe(run.id);
    expect((await admin.admin.runs.list.query()).map((r) => r.id)).toContain(run.id);
    expect(await admin.admin.settings.get.query()).toEqual({ minSecondsAfterSend: 10 });
    expect(await admin.admin.settings.update.mutate({ minSecondsAfterSend: 30 })).toEqual({
      minSecondsAfterSend: 30,
    });
    expect(await admin.admin.runs.health.query()).toMatchObject({
      lastSucceededRun: { id: expect.any(String) },
      overdue: false,
      failedConsents: [],
    });

    const changes = await admin.admin.changes.list.query({});
    expect(changes.items.map((c) => c.reason)).toEqual(["import"]);

    // The proof (R11): a signed checkpoint, a consistency proof, the profile's document checked
    // offline by the client's verifyProof, and the server's own check.
    const checkpoint = await admin.admin.proof.checkpoint.query();
    expect(checkpoint.treeSize).toBeGreaterThanOrEqual(2); // the binding and the import
    expect(checkpoint.checkpoint.split("\n")[1]).toBe(String(checkpoint.treeSize));
    const consistency = await admin.admin.proof.consistency.query({ from: 1 });
    expect(consistency).toMatchObject({ from: 1, to: checkpoint.treeSize });
    const proof = await admin.admin.profiles.proof.query({ profileId: "old" });
    expect(proof.entries.length).toBe(2);
    const offline = await verifyProof(proof, checkpoint.verifierKey);
    expect(offline).toMatchObject({ ok: true, problems: [] });
    // Another customer's id on the same entries: the binding no longer opens.
    const swapped = await verifyProof(
      { ...proof, profileId: "someone-else" },
      checkpoint.verifierKey,
    );
    expect(swapped.ok).toBe(false);
    expect(await admin.admin.profiles.verify.query({ profileId: "old" })).toMatchObject({
      ok: true,
      entries: 2,
    });

    // Erasure (R13): the customer is gone, the feed keeps the line without the id.
    expect(
      await admin.admin.profiles.erase.mutate({ profileId: "old", reason: "request" }),
    ).toMatchObject({ profileId: "old" });
    expect((await admin.admin.changes.list.query({})).items.map((c) => c.profileId)).toEqual([
      null,
    ]);
    const reimport = await rejection(
      admin.admin.profiles.import.mutate({
        items: [
          {
            profileId: "old",
            consent: "newsletter",
            status: "accepted",
            changedAt: "2020-01-01T00:00:00Z",
          },
        ],
      }),
    );
    expect(reimport.code).toBe("PROFILE_ERASED");

    const key = await admin.admin.keys.create.mutate({
      kind: "secret",
      name: "CI",
      scopes: ["events"],
    });
    expect(key.key).toMatch(/^lapse_sk_/);
    expect((await admin.admin.keys.list.query()).find((k) => k.id === key.id)).not.toHaveProperty(
      "key",
    );
    await admin.admin.keys.revoke.mutate({ id: key.id });
    const revoked = await rejection(server(key.key).catalog.list.query());
    expect(revoked.code).toBe("UNAUTHORIZED");
  });

  it("a body over the limit becomes LapseError PAYLOAD_TOO_LARGE, not a parsing crash", async () => {
    const tenant = await createTenant();
    const events = Array.from({ length: 1000 }, (_, i) => ({
      profileId: `p-${i}-${"x".repeat(100)}`,
      type: "email_clicked" as const,
      occurredAt: new Date().toISOString(),
    }));
    const big = await rejection(
      server(tenant.secretKey).events.track.mutate({ events: [...events, ...events, ...events] }),
    );
    expect(big.code).toBe("PAYLOAD_TOO_LARGE");
    expect(big.httpStatus).toBe(413);
  });

  // Runs last (tests in a file run in order): a new procedure without a client test fails here.
  it("every procedure of the router was called through the client", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(procedures.filter((p) => !called.has(p))).toEqual([]);
  });
});
