import { env } from "cloudflare:workers";
import { openCheckpoint, type ProofDocument, verifyProofDocument } from "@lapse/proof";
import { afterEach, describe, expect, it } from "vitest";
import { proofKeysOf } from "../../src/services/proof/keys.ts";
import {
  ReshardError,
  type ReshardOptions,
  reshardTenant,
  type SqlDb,
} from "../../src/services/shards/reshard.ts";
import { slotOf } from "../../src/services/shards/route.ts";
import { nightlyRun } from "../support/cron.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { expectError } from "../support/http.ts";
import { placementOf, SHARDS } from "../support/shards.ts";
import { retireTenants, type TenantApi, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day, iso } from "../support/time.ts";

afterEach(retireTenants);

const keys = proofKeysOf(env);

/** A D1 binding as the reshard's SqlDb (the CLI passes a local file or the REST API). */
function sqlDb(d1: D1Database): SqlDb {
  return {
    all: async <T>(s: { sql: string; params: readonly string[] }) =>
      (
        await d1
          .prepare(s.sql)
          .bind(...s.params)
          .all<T>()
      ).results,
    batch: async (statements) => {
      await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
    },
  };
}

async function reshard(tenantId: string, shards: number, options: Partial<ReshardOptions> = {}) {
  const log: string[] = [];
  const result = await reshardTenant({
    control: sqlDb(env.DB),
    shard: (binding) => sqlDb(SHARDS[binding] as D1Database),
    tenantId,
    shards,
    origin: keys.origin,
    verifierKeys: await keys.verifierKeys(),
    settleMs: 0,
    sealWaitMs: 0,
    sleep: async () => {},
    log: (line) => log.push(line),
    ...options,
  });
  return { result, log };
}

type Change = { profileId: string | null; consent: string; reason: string; to: string };

/** Every change of the feed from `cursor` on, by pages of `limit`, and the last cursor. */
async function feed(api: TenantApi, cursor?: string, limit = 7) {
  const seen: Change[] = [];
  let next = cursor;
  for (let pages = 0; pages < 100; pages++) {
    const page = await api.ok<{ items: Change[]; nextCursor: string }>(
      "query",
      "admin.changes.list",
      { limit, ...(next ? { cursor: next } : {}) },
    );
    seen.push(...page.items);
    next = page.nextCursor;
    if (page.items.length < limit) {
      break;
    }
  }
  return { seen: seen.map((c) => `${c.profileId}:${c.consent}:${c.reason}:${c.to}`), cursor: next };
}

/** What a brand reads of each profile: its statuses and its trail. */
async function reads(api: TenantApi, profiles: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const p of profiles) {
    out[p] = { get: await api.profile(p), history: await api.history(p) };
  }
  return out;
}

async function profileRows(d1: D1Database, tenantNum: number): Promise<number> {
  const row = await d1
    .prepare("SELECT count(*) AS n FROM profile WHERE tenant = ?1")
    .bind(tenantNum)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `cust-${i + 1}`);

describe("tenant:reshard (SPEC §6)", () => {
  it("SPEC §6/R11/R13: 1 → 2 shards loses, duplicates and breaks nothing; writes wait meanwhile", async () => {
    const A = day("2033-05-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    const profiles = names(24);
    await api.acceptAll(profiles, ["newsletter"]);
    clock.toDay(A + 5);
    await api.set(profiles[0] as string, { sms: "accepted" });
    await api.track([{ profileId: profiles[1] as string, type: "email_clicked" }]);
    // One customer erased before the move (R13).
    const erased = profiles[23] as string;
    await api.ok("mutation", "admin.profiles.erase", { profileId: erased, reason: "request" });
    const live = profiles.slice(0, 23);

    const { num, bindings: before } = await placementOf(api.tenantId);
    expect(before).toHaveLength(1);
    const source = SHARDS[before[0] as string] as D1Database;
    const checkpoint = await api.ok<{ logs: { checkpoint: string; treeSize: number }[] }>(
      "query",
      "admin.proof.checkpoint",
    );
    const old = checkpoint.logs[0] as { checkpoint: string; treeSize: number };
    const readsBefore = await reads(api, live);
    const half = await api.ok<{ nextCursor: string }>("query", "admin.changes.list", { limit: 20 });
    const feedBefore = await feed(api);

    // While paused: a write is refused before anything is written, and the night leaves it.
    clock.toDay(A + 31);
    let paused: { status: number; retryAfter: string | null; code?: string } | undefined;
    const { result, log } = await reshard(api.tenantId, 2, {
      settleMs: 1,
      sleep: async () => {
        if (paused) {
          return;
        }
        const refused = await api.mutate("profile.update", {
          profileId: "new-customer",
          changes: [{ consent: "newsletter", status: "accepted" }],
        });
        paused = {
          status: refused.status,
          retryAfter: refused.headers.get("Retry-After"),
          ...(refused.error ? { code: refused.error.data.code } : {}),
        };
        await nightlyRun(A + 30);
      },
    });
    expect(paused).toEqual({ status: 503, retryAfter: "60", code: "UNAVAILABLE" });
    expect(JSON.stringify(await api.profile("new-customer"))).not.toMatch(/accepted/);
    // The night left the paused tenant's due states for the next one: they read as lapsed
    // (R10), not recorded.
    const lapsedFlags = async () => {
      const out: boolean[] = [];
      for (const p of live) {
        out.push((await api.profile(p)).newsletter?.lapsed ?? false);
      }
      return out;
    };
    expect(await lapsedFlags()).toEqual(live.map((_, i) => i >= 2));

    // The map switched: slot 1 on the other shard, forked at the old log's size.
    const after = await placementOf(api.tenantId);
    expect(after.bindings).toHaveLength(2);
    expect(after.bindings[0]).toBe(before[0]);
    const moved = live.filter((p) => slotOf(api.tenantId, p, 2) === 1);
    expect(moved.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ before: 1, after: 2, cleaned: moved.length });
    expect(result.added).toEqual([
      expect.objectContaining({ slot: 1, from: 0, logFrom: old.treeSize, profiles: moved.length }),
    ]);
    expect(log.join("\n")).toMatch(/checked/);
    // Each profile is on exactly one shard: nothing lost, nothing duplicated.
    const target = SHARDS[after.bindings[1] as string] as D1Database;
    expect(await profileRows(target, num)).toBe(moved.length);
    expect(await profileRows(source, num)).toBe(live.length - moved.length);

    // Every read answers as before (at the same instant); every profile's proof and check verify.
    clock.toDay(A + 5);
    expect(await reads(api, live)).toEqual(readsBefore);
    clock.toDay(A + 31);
    for (const profileId of [moved[0], live.find((p) => !moved.includes(p))] as string[]) {
      const doc = await api.ok<ProofDocument>("query", "admin.profiles.proof", { profileId });
      expect(await verifyProofDocument(doc, await keys.verifierKey())).toMatchObject({ ok: true });
      expect(await api.ok("query", "admin.profiles.verify", { profileId })).toMatchObject({
        ok: true,
      });
    }

    // The new log is signed under its own origin, and its first size and root are the old log's:
    // the checkpoint kept before the move is consistent with both logs.
    const now = await api.ok<{
      verifierKey: string;
      logs: { log: number; origin: string; checkpoint: string; treeSize: number }[];
    }>("query", "admin.proof.checkpoint");
    const [log0, log1] = now.logs;
    expect(log1?.origin).toBe(`lapse.test/${api.tenantId}/1`);
    expect(log1?.treeSize).toBe(old.treeSize);
    const rootOf = async (note: string, origin: string) => {
      const opened = await openCheckpoint(note, [now.verifierKey], origin);
      expect(opened.ok).toBe(true);
      return opened.ok ? Buffer.from(opened.checkpoint.root).toString("hex") : "";
    };
    const oldRoot = await rootOf(old.checkpoint, log0?.origin as string);
    expect(await rootOf(log1?.checkpoint as string, log1?.origin as string)).toBe(oldRoot);
    for (const l of [0, 1]) {
      expect(
        await api.ok("query", "admin.proof.consistency", { log: l, from: old.treeSize }),
      ).toMatchObject({ log: l, from: old.treeSize });
    }

    // The feed: read whole, every change once; an old cursor goes on with no gap and no repeat.
    expect((await feed(api)).seen.sort()).toEqual([...feedBefore.seen].sort());
    const rest = await feed(api, half.nextCursor);
    const firstPage = feedBefore.seen.slice(0, 20);
    expect([...firstPage, ...rest.seen].sort()).toEqual([...feedBefore.seen].sort());

    // Writes are open again: a change of a moved profile lands once in its new log.
    await api.set(moved[0] as string, { sms: "refused" });
    const tail = await feed(api, feedBefore.cursor);
    expect(tail.seen).toEqual([`${moved[0]}:sms:api:refused`]);
    // A new customer routed to the new slot gets a fresh key: its proof verifies.
    const fresh = names(80)
      .map((p) => `new-${p}`)
      .find((p) => slotOf(api.tenantId, p, 2) === 1) as string;
    await api.set(fresh, { newsletter: "accepted" });
    const doc = await api.ok<ProofDocument>("query", "admin.profiles.proof", { profileId: fresh });
    expect(await verifyProofDocument(doc, await keys.verifierKey())).toMatchObject({ ok: true });

    // R13: the erased id stays refused, wherever it routes now.
    expectError(
      await api.mutate("admin.profiles.import", {
        items: [
          {
            profileId: erased,
            consent: "sms",
            status: "accepted",
            changedAt: iso(clock.now - 86_400_000),
          },
        ],
      }),
      409,
      "PROFILE_ERASED",
    );

    // The next night expires the due states of both shards, once (cust-1's acceptance of sms
    // and cust-2's click moved their newsletter clocks).
    clock.toDay(A + 32);
    const run = await api.run(await nightlyRun(A + 31));
    expect(run.perLog.map((l) => l.log)).toEqual([0, 1]);
    expect(run.perConsent.find((c) => c.consent === "newsletter")).toMatchObject({
      expired: live.length - 2,
    });
    expect(await api.statuses(live, "newsletter")).toEqual(
      live.map((_, i) => (i < 2 ? "accepted" : "unknown")),
    );
  });

  it("SPEC §6: shrinking, a count that is not a power of two, or too few shards is refused, and the tenant writes on", async () => {
    const clock = new Clock(at(day("2033-06-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.acceptAll(names(6), ["newsletter"]);
    await api.ok("query", "admin.proof.checkpoint");
    const { bindings } = await placementOf(api.tenantId);
    await expect(reshard(api.tenantId, 3)).rejects.toThrow(/power of two/);
    await expect(reshard(api.tenantId, 1)).rejects.toThrow(/nothing to do/);
    await expect(reshard("ten_nobody", 2)).rejects.toThrow(/No tenant/);
    // 4 slots need 3 more shards; the test run has one more.
    const refused = reshard(api.tenantId, 4);
    await expect(refused).rejects.toThrow(ReshardError);
    await expect(refused).rejects.toThrow(
      /No data shard can take slot 2.*shards:add.*Nothing was switched/s,
    );
    expect((await placementOf(api.tenantId)).bindings).toEqual(bindings);
    await api.set("cust-1", { sms: "accepted" });
    expect((await api.profile("cust-1")).sms?.status).toBe("accepted");
  });

  it("SPEC §6: a log the sealer has not sealed is not moved", async () => {
    const clock = new Clock(at(day("2033-07-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.acceptAll(names(3), ["newsletter"]);
    const { num, shards } = await placementOf(api.tenantId);
    const d1 = shards[0] as D1Database;
    const tree = await d1
      .prepare("SELECT size FROM log_tree WHERE tenant = ?1")
      .bind(num)
      .first<{ size: number }>();
    const entries = await d1
      .prepare("SELECT count(*) AS n FROM entry WHERE tenant = ?1")
      .bind(num)
      .first<{ n: number }>();
    // The test writes seal nothing by themselves: the log is ahead of its tree.
    expect(tree?.size ?? 0).toBeLessThan(entries?.n ?? 0);
    await expect(reshard(api.tenantId, 2)).rejects.toThrow(/sealer.*Nothing was switched/s);
    expect((await placementOf(api.tenantId)).bindings).toHaveLength(1);
    await api.set("cust-1", { sms: "accepted" });
  });

  it("SPEC §6: a copy that fails midway switches nothing and clears its profiles; the next attempt completes on what it left", async () => {
    const clock = new Clock(at(day("2033-08-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    const profiles = names(12);
    await api.acceptAll(profiles, ["newsletter"]);
    await api.ok("query", "admin.proof.checkpoint");
    const { num, bindings } = await placementOf(api.tenantId);
    const other = Object.keys(SHARDS).find((b) => b !== bindings[0]) as string;
    // The target's D1 fails on the batch that writes the states.
    const failing = (binding: string): SqlDb => {
      const db = sqlDb(SHARDS[binding] as D1Database);
      return binding !== other
        ? db
        : {
            all: db.all,
            batch: async (statements) => {
              if (statements.some((st) => st.sql.includes("INSERT INTO state"))) {
                throw new Error("D1_ERROR: network connection lost");
              }
              await db.batch(statements);
            },
          };
    };
    await expect(reshard(api.tenantId, 2, { shard: failing })).rejects.toThrow(
      /network connection lost\nNothing was switched/,
    );
    expect((await placementOf(api.tenantId)).bindings).toEqual(bindings);
    expect(await profileRows(SHARDS[other] as D1Database, num)).toBe(0);
    // Writes are open again; the log copied so far stays (append-only) and the rerun keeps it.
    await api.set("cust-1", { sms: "accepted" });
    await api.ok("query", "admin.proof.checkpoint");
    const { result } = await reshard(api.tenantId, 2);
    expect(result.added[0]?.profiles).toBe(
      profiles.filter((p) => slotOf(api.tenantId, p, 2) === 1).length,
    );
    for (const profileId of profiles) {
      expect(await api.ok("query", "admin.profiles.verify", { profileId })).toMatchObject({
        ok: true,
      });
    }
  });

  it("SPEC §6: a shard where another tenant holds a key to move is not used", async () => {
    const clock = new Clock(at(day("2033-09-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    const profiles = names(8);
    await api.acceptAll(profiles, ["newsletter"]);
    await api.ok("query", "admin.proof.checkpoint");
    const { num, shards, bindings } = await placementOf(api.tenantId);
    const other = Object.keys(SHARDS).find((b) => b !== bindings[0]) as string;
    const moving = profiles.find((p) => slotOf(api.tenantId, p, 2) === 1) as string;
    const key = await (shards[0] as D1Database)
      .prepare("SELECT id FROM profile WHERE tenant = ?1 AND external_id = ?2")
      .bind(num, moving)
      .first<{ id: number }>();
    await (SHARDS[other] as D1Database)
      .prepare(
        "INSERT INTO profile (id, tenant, external_id, salt) VALUES (?1, ?2, 'someone', x'00')",
      )
      .bind(key?.id, num + 1000)
      .run();
    await expect(reshard(api.tenantId, 2)).rejects.toThrow(
      /No data shard can take slot 1: on each of the 1 left, another tenant's profile holds one of the keys/,
    );
    expect((await placementOf(api.tenantId)).bindings).toEqual(bindings);
    await api.set(moving, { sms: "accepted" });
  });

  it("SPEC §6: a tenant left paused after its switch is finished by running the same count again", async () => {
    const clock = new Clock(at(day("2033-10-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.acceptAll(names(4), ["newsletter"]);
    await env.DB.prepare("UPDATE tenant SET resharding_since = ?2 WHERE id = ?1")
      .bind(api.tenantId, Date.now())
      .run();
    expectError(
      await api.mutate("profile.update", {
        profileId: "cust-1",
        changes: [{ consent: "sms", status: "accepted" }],
      }),
      503,
      "UNAVAILABLE",
    );
    const { result, log } = await reshard(api.tenantId, 1);
    expect(result).toMatchObject({ before: 1, after: 1, added: [], cleaned: 0 });
    expect(log.join("\n")).toMatch(/open again/);
    await api.set("cust-1", { sms: "accepted" });
  });
});
