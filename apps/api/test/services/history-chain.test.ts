import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { createApp } from "../../src/http/app.ts";
import {
  appendHistory,
  type HistoryWrite,
  isChainConflict,
  withChainRetry,
} from "../../src/services/history/append.ts";
import { unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { daysAgo } from "../support/time.ts";

interface Verify {
  ok: boolean;
  entries: number;
  problems: { seq: number | null; kind: string }[];
}

const TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS consent_history_no_update BEFORE UPDATE ON consent_history
BEGIN SELECT RAISE(ABORT, 'consent_history is append-only (R11)'); END;
CREATE TRIGGER IF NOT EXISTS consent_history_no_delete BEFORE DELETE ON consent_history
BEGIN SELECT RAISE(ABORT, 'consent_history is append-only (R11)'); END;`;

/** An attacker with database access: drops the append-only triggers, tampers, puts them back. */
async function tamper(statements: string[]) {
  await env.DB.exec(
    "DROP TRIGGER IF EXISTS consent_history_no_update; DROP TRIGGER IF EXISTS consent_history_no_delete;",
  );
  try {
    for (const s of statements) {
      await env.DB.prepare(s).run();
    }
  } finally {
    for (const s of TRIGGERS.split("END;").filter((t) => t.trim())) {
      await env.DB.prepare(`${s}END;`).run();
    }
  }
}

/** A profile with a trail of four entries from every kind of writer. */
async function profileWithTrail() {
  const tenant = await createTenant({ consents: DEMO_CONSENTS });
  const key = { key: tenant.secretKey };
  expectOk(
    await mutate(
      "admin.profiles.import",
      { items: [{ profileId: "p", consent: "sms", status: "accepted", changedAt: daysAgo(30) }] },
      key,
    ),
  );
  expectOk(
    await mutate(
      "profile.update",
      { profileId: "p", changes: [{ consent: "newsletter", status: "accepted" }] },
      key,
    ),
  );
  expectOk(
    await mutate(
      "events.track",
      { events: [{ profileId: "p", type: "order_placed", occurredAt: new Date().toISOString() }] },
      key,
    ),
  );
  expectOk(
    await mutate(
      "profile.update",
      { profileId: "p", changes: [{ consent: "sms", status: "refused" }] },
      key,
    ),
  );
  const seqs = await env.DB.prepare(
    "SELECT seq FROM consent_history WHERE tenant_id = ? AND profile_id = 'p' ORDER BY seq",
  )
    .bind(tenant.tenantId)
    .all<{ seq: number }>();
  return { tenant, key, seqs: seqs.results.map((r) => r.seq) };
}

describe("tamper-evident history (R11)", () => {
  it("R11: every writer links its entries into the profile's chain, and the check passes", async () => {
    const { key, seqs } = await profileWithTrail();
    expect(seqs).toHaveLength(4);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "p" }, key),
    );
    expect(verified).toMatchObject({ ok: true, entries: 4, problems: [] });
  });

  it("R11: an edited entry is found, at its seq", async () => {
    const { tenant, key, seqs } = await profileWithTrail();
    await tamper([
      `UPDATE consent_history SET to_status = 'accepted' WHERE tenant_id = '${tenant.tenantId}' AND seq = ${seqs[3]}`,
    ]);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "p" }, key),
    );
    expect(verified.ok).toBe(false);
    expect(verified.problems).toEqual([expect.objectContaining({ seq: seqs[3], kind: "edited" })]);
  });

  it("R11: a deleted entry in the middle and a deleted newest entry are both found", async () => {
    const { tenant, key, seqs } = await profileWithTrail();
    await tamper([
      `DELETE FROM consent_history WHERE tenant_id = '${tenant.tenantId}' AND seq IN (${seqs[1]}, ${seqs[3]})`,
    ]);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "p" }, key),
    );
    expect(verified.ok).toBe(false);
    expect(verified.problems).toEqual([
      expect.objectContaining({ seq: seqs[2], kind: "missing" }),
      expect.objectContaining({ seq: null, kind: "head" }),
    ]);
  });

  it("R11: an entry re-hashed to hide an edit still breaks the link to its successor", async () => {
    const { tenant, key, seqs } = await profileWithTrail();
    await tamper([
      `UPDATE consent_history SET reason = 'customer', hash = 'forged' WHERE tenant_id = '${tenant.tenantId}' AND seq = ${seqs[1]}`,
    ]);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "p" }, key),
    );
    expect(verified.problems.map((p) => [p.seq, p.kind])).toEqual([
      [seqs[1], "edited"],
      [seqs[2], "missing"],
    ]);
  });

  it("R11: the database refuses a line that does not continue its profile's chain, and changes nothing", async () => {
    const { tenant, seqs } = await profileWithTrail();
    const rows = await env.DB.prepare(
      "SELECT consent_id, hash FROM consent_history WHERE tenant_id = ? AND profile_id = 'p' ORDER BY seq",
    )
      .bind(tenant.tenantId)
      .all<{ consent_id: string; hash: string }>();
    const [first] = rows.results;
    if (!first) {
      throw new Error("no trail");
    }
    const line = (prevHash: string, profileId = "p") =>
      env.DB.prepare(
        `INSERT INTO consent_history (tenant_id, profile_id, consent_id, consent_key,
          consent_version, from_status, to_status, reason, actor, occurred_at, recorded_at,
          prev_hash, hash)
         VALUES (?, ?, ?, 'sms', 1, 'refused', 'accepted', 'api', 'key_x', 1, 1, ?, 'fork')`,
      )
        .bind(tenant.tenantId, profileId, first.consent_id, prevHash)
        .run();
    // A fork after the first line, a second first line, and a first line that is not ''.
    for (const attempt of [() => line(first.hash), () => line(""), () => line("x", "new")]) {
      const error = await unchanged(tenant.tenantId, () =>
        attempt().then(
          () => null,
          (e) => e,
        ),
      );
      expect(isChainConflict(error), String(error)).toBe(true);
    }
    expect(seqs).toHaveLength(4);
  });

  it("R11: a writer whose heads another writer moved loses the race whole, and retries on fresh data", async () => {
    const { tenant, key } = await profileWithTrail();
    const ctx = {
      db: createDb(env.DB),
      tenantId: tenant.tenantId,
      actor: "key_x",
      now: Date.now(),
    };
    const entry = (consent: string, to: "accepted" | "refused"): HistoryWrite => ({
      consentId: "unused-by-the-chain",
      entry: {
        profileId: "p",
        consent,
        consentVersion: 1,
        from: "unknown",
        to,
        reason: "api",
        actor: "key_x",
        occurredAt: ctx.now,
        recordedAt: ctx.now,
      },
    });
    // Read the head, then let another writer append before this batch runs.
    const stale = await appendHistory(ctx, [entry("order", "refused")]);
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p", changes: [{ consent: "newsletter", status: "refused" }] },
        key,
      ),
    );
    const error = await unchanged(tenant.tenantId, () =>
      env.DB.batch(stale).then(
        () => null,
        (e) => e,
      ),
    );
    expect(isChainConflict(error), String(error)).toBe(true);
    // withChainRetry runs the work again; the second attempt reads the new head and lands.
    let attempts = 0;
    await withChainRetry(async () => {
      attempts += 1;
      const statements =
        attempts === 1 ? stale : await appendHistory(ctx, [entry("order", "refused")]);
      return env.DB.batch(statements);
    });
    expect(attempts).toBe(2);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "p" }, key),
    );
    expect(verified).toMatchObject({ ok: true, entries: 6, problems: [] });
  });

  it("R11: two changes to one profile at once both land, in one unbroken chain", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const key = { key: tenant.secretKey };
    const [a, b] = await Promise.all([
      mutate(
        "profile.update",
        { profileId: "race", changes: [{ consent: "newsletter", status: "accepted" }] },
        key,
      ),
      mutate(
        "profile.update",
        { profileId: "race", changes: [{ consent: "sms", status: "refused" }] },
        key,
      ),
    ]);
    expectOk(a);
    expectOk(b);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "race" }, key),
    );
    expect(verified).toMatchObject({ ok: true, entries: 2 });
  });

  it("R11: the nightly run's lapses are linked into the chain too", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const key = { key: tenant.secretKey };
    expectOk(await mutate("admin.expiry.activate", { consent: "sms" }, key));
    expectOk(
      await mutate(
        "admin.profiles.import",
        {
          items: [
            { profileId: "old", consent: "sms", status: "accepted", changedAt: daysAgo(400) },
          ],
        },
        key,
      ),
    );
    // Activated 200 days ago: the imported clock (400 days) is due today (R7, R10).
    await env.DB.prepare("UPDATE consent SET expiry_activated_at = ? WHERE tenant_id = ?")
      .bind(Date.now() - 200 * 86_400_000, tenant.tenantId)
      .run();
    const run = expectOk(await mutate<{ expired: number }>("admin.runs.trigger", {}, key));
    expect(run.expired).toBe(1);
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "old" }, key),
    );
    expect(verified).toMatchObject({ ok: true, entries: 2 });
  });

  it("R11: the proof document holds the states, the trail with hashes and every wording answered", async () => {
    const { key } = await profileWithTrail();
    expectOk(
      await mutate("admin.consents.update", { key: "sms", title: "SMS offers, new wording" }, key),
    );
    const doc = expectOk(
      await query<{
        format: string;
        trail: { hash: string; prevHash: string; reason: string }[];
        consents: { key: string; versions: { version: number; title: string }[] }[];
        chain: { ok: boolean; entries: number };
        states: { consent: string; status: string }[];
      }>("admin.profiles.proof", { profileId: "p" }, key),
    );
    expect(doc.format).toBe("lapse-proof/1");
    expect(doc.trail.map((t) => t.reason)).toEqual(["import", "api", "entry_event", "api"]);
    expect(doc.trail[0]?.prevHash).toBe("");
    expect(doc.trail[1]?.prevHash).toBe(doc.trail[0]?.hash);
    expect(doc.chain).toMatchObject({ ok: true, entries: 4 });
    expect(doc.consents.find((c) => c.key === "sms")?.versions).toEqual([
      expect.objectContaining({ version: 1, title: "SMS offers" }),
      expect.objectContaining({ version: 2, title: "SMS offers, new wording" }),
    ]);
    expect(doc.states.find((s) => s.consent === "order")?.status).toBe("accepted");
  });

  it("R12: another tenant cannot verify or export this tenant's profile", async () => {
    const { tenant } = await profileWithTrail();
    const other = await createTenant();
    const verified = expectOk(
      await query<Verify>("admin.profiles.verify", { profileId: "p" }, { key: other.secretKey }),
    );
    expect(verified).toMatchObject({ ok: true, entries: 0 });
    const doc = expectOk(
      await query<{ trail: unknown[] }>(
        "admin.profiles.proof",
        { profileId: "p" },
        { key: other.secretKey },
      ),
    );
    expect(doc.trail).toEqual([]);
    void tenant;
  });
});

describe("per-profile rate limit (credentials)", () => {
  it("a profile over its limit gets 429 with Retry-After and nothing changes", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const seen: string[] = [];
    const app = createApp({
      rateLimiter: () => ({
        allow: async () => true,
        allowProfile: async (profile) => {
          seen.push(profile);
          return false;
        },
      }),
    });
    const result = await unchanged(tenant.tenantId, () =>
      mutate(
        "profile.update",
        { profileId: "busy", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: tenant.secretKey, app },
      ),
    );
    expectError(result, 429, "TOO_MANY_REQUESTS");
    expect(result.headers.get("Retry-After")).toBe("60");
    expect(seen).toEqual([`${tenant.tenantId}:busy`]);
  });
});
