import { describe, expect, it } from "vitest";
import { keyChecks, profileTokenChecks } from "../support/access-checks.ts";
import { historyRows, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { consentKeysOf, shardOf, soleShardOf } from "../support/shards.ts";
import { profileToken } from "../support/tokens.ts";

interface HistoryPage {
  items: {
    consent: string;
    consentVersion: number;
    from: string;
    to: string;
    reason: string;
    actor: string;
    occurredAt: string;
    recordedAt: string;
  }[];
  nextCursor: string | null;
}

async function flip(tenant: TestTenant, profileId: string, times: number) {
  for (let i = 0; i < times; i++) {
    const status = i % 2 === 0 ? "accepted" : "refused";
    expectOk(
      await mutate(
        "profile.update",
        { profileId, changes: [{ consent: "newsletter", status }] },
        { key: tenant.secretKey },
      ),
    );
  }
}

function history(tenant: TestTenant, input: Record<string, unknown>) {
  return query<HistoryPage>("profile.history", input, { key: tenant.secretKey });
}

describe("profile.history", () => {
  it("R11: a status change appends one entry with from, to, reason, actor, times and version", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const before = Date.now();
    expectOk(
      await mutate(
        "profile.update",
        { profileId: "p1", changes: [{ consent: "newsletter", status: "accepted" }] },
        { key: tenant.secretKey },
      ),
    );
    const page = expectOk(await history(tenant, { profileId: "p1" }));
    expect(page.nextCursor).toBeNull();
    expect(page.items).toHaveLength(1);
    const [entry] = page.items;
    expect(entry).toMatchObject({
      consent: "newsletter",
      consentVersion: 1,
      from: "unknown",
      to: "accepted",
      reason: "api",
    });
    expect(entry?.actor).toMatch(/^key_[0-9a-z]{20}$/);
    for (const at of [entry?.occurredAt, entry?.recordedAt]) {
      expect(Date.parse(at ?? "")).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(at ?? "")).toBeLessThanOrEqual(Date.now() + 1000);
    }
    // The actor is the key that made the change.
    const keys = expectOk(
      await query<{ id: string; kind: string }[]>("admin.keys.list", undefined, {
        key: tenant.secretKey,
      }),
    );
    expect(keys.filter((k) => k.kind === "secret").map((k) => k.id)).toContain(entry?.actor);
  });

  it("R11: the entry records the version of the text the customer answered", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const key = { key: tenant.secretKey };
    const change = (status: string) =>
      mutate("profile.update", { profileId: "p1", changes: [{ consent: "sms", status }] }, key);
    expectOk(await change("accepted"));
    expectOk(await mutate("admin.consents.update", { key: "sms", title: "SMS deals" }, key));
    expectOk(await change("refused"));
    const page = expectOk(await history(tenant, { profileId: "p1" }));
    expect(page.items.map((i) => [i.to, i.consentVersion])).toEqual([
      ["refused", 2],
      ["accepted", 1],
    ]);
  });

  it("R11: newest first, and the cursor walks every entry once, with no gap", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await flip(tenant, "p1", 7);
    await flip(tenant, "p2", 2); // another profile's entries interleave in the table
    const all = expectOk(await history(tenant, { profileId: "p1", limit: 200 }));
    expect(all.items).toHaveLength(7);
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((i) => i.to)).toEqual([
      "accepted",
      "refused",
      "accepted",
      "refused",
      "accepted",
      "refused",
      "accepted",
    ]);
    expect(all.items.at(-1)?.from).toBe("unknown");

    const pages: HistoryPage[] = [];
    let cursor: string | undefined;
    do {
      const page = expectOk(
        await history(tenant, { profileId: "p1", limit: 3, ...(cursor ? { cursor } : {}) }),
      );
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages.length < 10);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.items)).toEqual(all.items);
  });

  it("answers 50 entries per page unless told", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    // 51 entries straight in the log (on the profile's shard): 26 acceptances and 25
    // withdrawals of one consent.
    const { num } = await soleShardOf(tenant.tenantId);
    const newsletter = [...(await consentKeysOf(tenant.tenantId))].find(
      ([, key]) => key === "newsletter",
    )?.[0];
    const d1 = await shardOf(tenant.tenantId, "p1");
    await d1.batch([
      d1
        .prepare(
          "INSERT INTO profile (tenant, external_id, salt) VALUES (?1, 'p1', randomblob(32))",
        )
        .bind(num),
      d1.prepare("INSERT INTO actor (tenant, name) VALUES (?1, 'key_x')").bind(num),
      d1
        .prepare(
          `WITH RECURSIVE g (value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM g WHERE value < 50)
           INSERT INTO entry (tenant, idx, kind, profile, consent, version, from_status, to_status,
             reason, actor, occurred_at, recorded_at)
           SELECT ?1, g.value, 1, p.id, ?3, 1, g.value % 2, 1 - g.value % 2, 5, a.id, ?2, ?2
           FROM g
           JOIN profile AS p ON p.tenant = ?1 AND p.external_id = 'p1'
           JOIN actor AS a ON a.tenant = ?1 AND a.name = 'key_x'`,
        )
        .bind(num, Date.now(), newsletter ?? null),
    ]);
    const first = expectOk(await history(tenant, { profileId: "p1" }));
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const second = expectOk(
      await history(tenant, { profileId: "p1", cursor: first.nextCursor ?? "" }),
    );
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("a storefront reads its own profile's history with a profile token", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await flip(tenant, "p1", 2);
    const asCustomer = expectOk(
      await query(
        "profile.history",
        { profileId: "p1" },
        { key: tenant.publishableKey, token: await profileToken(tenant, "p1") },
      ),
    );
    expect(asCustomer).toEqual(expectOk(await history(tenant, { profileId: "p1" })));
  });

  describe("a bad cursor or limit: 400 and nothing changed", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["a cursor that is not a number", { cursor: "abc" }, "cursor"],
      ["a cursor of zero", { cursor: "0" }, "cursor"],
      ["a negative cursor", { cursor: "-5" }, "cursor"],
      ["a cursor in exponent form", { cursor: "1e3" }, "cursor"],
      ["a cursor beyond safe integers", { cursor: "99999999999999999" }, "cursor"],
      ["a cursor over 32 characters", { cursor: "1".repeat(33) }, "cursor"],
      ["a limit of 0", { limit: 0 }, "limit"],
      ["a limit over 200", { limit: 201 }, "limit"],
      ["an extra field", { before: "2026-01-01" }, ""],
    ];
    for (const [name, input, path] of cases) {
      it(name, async () => {
        const tenant = await createTenant({ consents: DEMO_CONSENTS });
        await flip(tenant, "p1", 1);
        const result = await unchanged(tenant.tenantId, () =>
          history(tenant, { profileId: "p1", ...input }),
        );
        const error = expectError(result, 400, "BAD_REQUEST");
        expect(error.data.issues.map((i) => i.path)).toEqual([path]);
      });
    }
  });

  it("R11: history rows cannot be updated or deleted, even straight in the database", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    await flip(tenant, "p1", 2);
    const rows = await historyRows(tenant.tenantId, "p1");
    const { num, db } = await soleShardOf(tenant.tenantId);
    await expect(
      db.prepare("UPDATE entry SET to_status = 2 WHERE tenant = ?").bind(num).run(),
    ).rejects.toThrow(/append-only/);
    await expect(db.prepare("DELETE FROM entry WHERE tenant = ?").bind(num).run()).rejects.toThrow(
      /append-only/,
    );
    expect(await historyRows(tenant.tenantId, "p1")).toEqual(rows);
  });

  it("R12: another tenant's key reads this tenant's profile as having no history", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    await flip(tenant, "shared", 3);
    const page = expectOk(await history(other, { profileId: "shared" }));
    expect(page).toEqual({ items: [], nextCursor: null });
    // A cursor from this tenant's pages does not open the other tenant's rows either.
    const mine = expectOk(await history(tenant, { profileId: "shared", limit: 1 }));
    expect(
      expectOk(await history(other, { profileId: "shared", cursor: mine.nextCursor ?? "" })),
    ).toEqual({ items: [], nextCursor: null });
  });
});

const spec = {
  path: "profile.history",
  type: "query" as const,
  scope: "profiles" as const,
  input: () => ({ profileId: "p-sec" }),
};
keyChecks({ ...spec, publishable: "profile-token" });
profileTokenChecks(spec);
