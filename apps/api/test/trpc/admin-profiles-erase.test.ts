import { type ProofDocument, verifyProofDocument } from "@lapse/proof";
import { describe, expect, it } from "vitest";
import type { ProfileView } from "../../src/services/profiles/view.ts";
import { keyChecks } from "../support/access-checks.ts";
import { historyRows, snapshot, unchanged } from "../support/db.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "../support/factories.ts";
import { expectError, expectOk, mutate, query } from "../support/http.ts";
import { soleShardOf } from "../support/shards.ts";
import { daysAgo } from "../support/time.ts";

interface Erased {
  profileId: string;
  erasedAt: string;
  statesDeleted: number;
}

function erase(tenant: TestTenant, input: unknown) {
  return mutate<Erased>("admin.profiles.erase", input, { key: tenant.secretKey });
}

function accept(tenant: TestTenant, profileId: string, consents: string[]) {
  return mutate<ProfileView>(
    "profile.update",
    { profileId, changes: consents.map((consent) => ({ consent, status: "accepted" })) },
    { key: tenant.secretKey },
  );
}

async function profileRows(tenant: TestTenant) {
  const { num, db } = await soleShardOf(tenant.tenantId);
  const { results } = await db
    .prepare("SELECT id, external_id AS externalId FROM profile WHERE tenant = ? ORDER BY id")
    .bind(num)
    .all<{ id: number; externalId: string }>();
  return results;
}

interface Change {
  profileId: string | null;
  consent: string;
  to: string;
}

describe("admin.profiles.erase (R13)", () => {
  it("R13: deletes the profile's states and id; the profile then reads as never seen", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter", "sms"]));
    expectOk(await accept(tenant, "bob", ["newsletter"]));
    const before = await snapshot(tenant.tenantId);

    const answer = expectOk(await erase(tenant, { profileId: "alice", reason: "ticket 42" }));
    expect(answer).toMatchObject({ profileId: "alice", statesDeleted: 2 });

    const view = expectOk(
      await query<ProfileView>("profile.get", { profileId: "alice" }, { key: tenant.secretKey }),
    );
    expect(view.consents.every((c) => c.status === "unknown" && c.statusChangedAt === null)).toBe(
      true,
    );
    expect(
      expectOk(await query("profile.history", { profileId: "alice" }, { key: tenant.secretKey })),
    ).toEqual({ items: [], nextCursor: null });
    expect((await profileRows(tenant)).map((p) => p.externalId)).toEqual(["bob"]);

    const after = await snapshot(tenant.tenantId);
    // Bob is untouched; every earlier entry is still there, plus one erasure naming no one.
    expect(after.state).toHaveLength(1);
    const [entriesBefore = [], entriesAfter = []] = [before.entry, after.entry];
    expect(entriesAfter.slice(0, entriesBefore.length)).toEqual(entriesBefore);
    expect(entriesAfter.slice(entriesBefore.length)).toEqual([
      expect.objectContaining({ kind: 3, consent: null, actor: null }),
    ]);
    expect(after.erased_profile).toHaveLength(1);
    expect(JSON.stringify(after)).not.toContain("alice");
  });

  it("R13: the change feed keeps the erased profile's changes, with profileId null", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter"]));
    expectOk(await accept(tenant, "bob", ["sms"]));
    expectOk(await erase(tenant, { profileId: "alice" }));
    const feed = expectOk(
      await query<{ items: Change[] }>("admin.changes.list", {}, { key: tenant.secretKey }),
    );
    expect(feed.items.map((c) => [c.profileId, c.consent, c.to])).toEqual([
      [null, "newsletter", "accepted"],
      ["bob", "sms", "accepted"],
    ]);
  });

  it("R13: an import of an erased id is refused whole with PROFILE_ERASED", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter"]));
    expectOk(await erase(tenant, { profileId: "alice" }));
    const refused = await unchanged(tenant.tenantId, () =>
      mutate(
        "admin.profiles.import",
        {
          items: [
            { profileId: "carol", consent: "sms", status: "accepted", changedAt: daysAgo(3) },
            { profileId: "alice", consent: "sms", status: "accepted", changedAt: daysAgo(3) },
          ],
        },
        { key: tenant.secretKey },
      ),
    );
    const error = expectError(refused, 409, "PROFILE_ERASED");
    expect(error.data.issues.map((i) => i.path)).toEqual(["items.1.profileId"]);
  });

  it("R13: an erased id is remembered per tenant: another tenant imports the same id", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter"]));
    expectOk(await erase(tenant, { profileId: "alice" }));
    expectOk(
      await mutate(
        "admin.profiles.import",
        {
          items: [
            { profileId: "alice", consent: "sms", status: "accepted", changedAt: daysAgo(3) },
          ],
        },
        { key: other.secretKey },
      ),
    );
  });

  it("R13: a new live acceptance starts a new profile, with a new key and its own trail", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter", "sms"]));
    const [old] = await profileRows(tenant);
    expectOk(await erase(tenant, { profileId: "alice" }));
    const view = expectOk(await accept(tenant, "alice", ["sms"]));
    expect(view.consents.find((c) => c.consent === "sms")?.status).toBe("accepted");
    expect(view.consents.find((c) => c.consent === "newsletter")?.status).toBe("unknown");
    const [fresh] = await profileRows(tenant);
    expect(fresh?.id).not.toBe(old?.id);
    expect((await historyRows(tenant.tenantId, "alice")).map((r) => r.consent_key)).toEqual([
      "sms",
    ]);
  });

  it("R13: erasing an erased id again changes nothing and answers the first erasure", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter"]));
    const first = expectOk(await erase(tenant, { profileId: "alice" }));
    const again = await unchanged(tenant.tenantId, () => erase(tenant, { profileId: "alice" }));
    expect(expectOk(again)).toEqual({ ...first, statesDeleted: 0 });
  });

  it("R13: a profile never seen is 404 and nothing is written", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const refused = await unchanged(tenant.tenantId, () => erase(tenant, { profileId: "nobody" }));
    expectError(refused, 404, "NOT_FOUND");
  });

  it("R12: another tenant's key cannot erase this tenant's profile", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    const other = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter"]));
    const refused = await unchanged(tenant.tenantId, () => erase(other, { profileId: "alice" }));
    expectError(refused, 404, "NOT_FOUND");
  });

  it.each([
    [{ profileId: "alice", reason: "x".repeat(201) }, "reason"],
    [{ profileId: "alice", reason: "line\nbreak" }, "reason"],
    [{ profileId: "alice", reason: "" }, "reason"],
    [{ profileId: "" }, "profileId"],
    [{ profileId: "alice", extra: 1 }, ""],
  ])("bad input %j is a 400 and erases nothing", async (input, path) => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    expectOk(await accept(tenant, "alice", ["newsletter"]));
    const refused = await unchanged(tenant.tenantId, () => erase(tenant, input));
    const error = expectError(refused, 400, "BAD_REQUEST");
    expect(error.data.issues.map((i) => i.path)).toContain(path);
  });

  it("R11, R13: after an erasure every other profile's proof still verifies, and the erased one's is gone", async () => {
    const tenant = await createTenant({ consents: DEMO_CONSENTS });
    for (const id of ["alice", "bob", "carol"]) {
      expectOk(await accept(tenant, id, ["newsletter", "sms"]));
    }
    const key = { key: tenant.secretKey };
    const kept = expectOk(
      await query<{ checkpoint: string; treeSize: number }>("admin.proof.checkpoint", {}, key),
    );
    expectOk(await erase(tenant, { profileId: "bob" }));
    const now = expectOk(
      await query<{ treeSize: number; verifierKey: string }>("admin.proof.checkpoint", {}, key),
    );
    expect(now.treeSize).toBe(kept.treeSize + 1);
    // The tree only grew: the checkpoint kept before the erasure is consistent with today's.
    expectOk(await query("admin.proof.consistency", { from: kept.treeSize }, key));
    for (const id of ["alice", "carol"]) {
      const doc = expectOk(
        await query<ProofDocument>("admin.profiles.proof", { profileId: id }, key),
      );
      const verified = await verifyProofDocument(doc, now.verifierKey);
      expect(verified.problems).toEqual([]);
      expect(verified.ok).toBe(true);
    }
    expectError(await query("admin.profiles.proof", { profileId: "bob" }, key), 404, "NOT_FOUND");
  });
});

keyChecks({
  path: "admin.profiles.erase",
  type: "mutation",
  scope: "admin",
  publishable: "refused",
  input: async (tenant) => {
    expectOk(await accept(tenant, "p-sec", ["newsletter"]));
    return { profileId: "p-sec" };
  },
});
