import { env } from "cloudflare:workers";
import { openCheckpoint, type ProofDocument, verifyProofDocument } from "@lapse/proof";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { buildExpiryRuntime } from "../../src/cron/runtime.ts";
import { consumeExpiryMessage } from "../../src/services/expiry/consume-expiry-message.ts";
import { acquireLease, releaseLease } from "../../src/services/expiry/lease.ts";
import { runNightlyExpiry } from "../../src/services/expiry/run-nightly.ts";
import type { ExpiryMessage } from "../../src/services/expiry/runtime.ts";
import { proofKeysOf } from "../../src/services/proof/keys.ts";
import { fnv1a32, slotOf } from "../../src/services/shards/route.ts";
import { NOT_ENOUGH_SHARDS, provisionTenant } from "../../src/services/tenants/provision.ts";
import { nightlyRun } from "../support/cron.ts";
import { DEMO_CONSENTS } from "../support/factories.ts";
import { expectError } from "../support/http.ts";
import { placementOf, SHARDS, shardOf } from "../support/shards.ts";
import { retireTenants, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day, nightOf } from "../support/time.ts";

afterEach(retireTenants);

const names = (n: number) => Array.from({ length: n }, (_, i) => `cust-${i + 1}`);

/** Tenants placed on each shard, by binding. */
async function placedCounts(): Promise<Map<string, number>> {
  const { results } = await env.DB.prepare(
    `SELECT s.binding, count(ts.tenant_id) AS n FROM shard AS s
     LEFT JOIN tenant_shard AS ts ON ts.shard = s.num GROUP BY s.num ORDER BY s.num`,
  ).all<{ binding: string; n: number }>();
  return new Map(results.map((r) => [r.binding, r.n]));
}

async function provision(input: { shards?: number; jurisdiction?: "eu" | "us" }) {
  const { statements, secrets } = await provisionTenant({
    name: "Sharded",
    now: Date.now(),
    ...input,
  });
  await env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...s.params)));
  return secrets;
}

describe("placement (SPEC §6)", () => {
  it("SPEC §6: a new tenant goes to the least-filled shard (fewest tenants when no size is measured yet)", async () => {
    const before = await placedCounts();
    const fewest = Math.min(...before.values());
    const expected = [...before].find(([, n]) => n === fewest)?.[0];
    const tenant = await provision({});
    expect((await placementOf(tenant.tenantId)).bindings).toEqual([expected]);
    // The next one goes to the other shard when they are then level or this one is fuller.
    const after = await placedCounts();
    const next = await provision({});
    const least = Math.min(...after.values());
    expect(after.get((await placementOf(next.tenantId)).bindings[0] as string)).toBe(least);
  });

  it("SPEC §6: a tenant on 2 shards gets both, slot 0 on the emptier", async () => {
    const tenant = await provision({ shards: 2 });
    expect([...(await placementOf(tenant.tenantId)).bindings].sort()).toEqual([
      "SHARD_0",
      "SHARD_1",
    ]);
  });

  it("SPEC §6: more shards than the map holds, or a jurisdiction with none, is refused whole", async () => {
    for (const input of [{ shards: 4 }, { jurisdiction: "eu" as const }]) {
      const { statements, secrets } = await provisionTenant({
        name: "Too big",
        now: Date.now(),
        ...input,
      });
      await expect(
        env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...s.params))),
      ).rejects.toThrow(NOT_ENOUGH_SHARDS);
      const row = await env.DB.prepare("SELECT id FROM tenant WHERE id = ?")
        .bind(secrets.tenantId)
        .first();
      expect(row).toBeNull();
    }
  });

  it("SPEC §6: a shard count that is not a power of two is refused before anything is written", async () => {
    for (const shards of [0, 3, 6, 2048, 1.5]) {
      await expect(provisionTenant({ name: "Odd", now: Date.now(), shards })).rejects.toThrow(
        /power of two/,
      );
    }
  });
});

describe("routing (SPEC §6)", () => {
  it("SPEC §6: the profile hash is FNV-1a (stable across deployments)", () => {
    // The published FNV-1a 32-bit test vectors.
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("SPEC §6: growing from S to 2S slots keeps each profile in s or s + S", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.constantFrom(1, 2, 4, 8, 16),
        (tenant, profile, s) => {
          const slot = slotOf(tenant, profile, 2 * s);
          expect(slot % s).toBe(slotOf(tenant, profile, s));
        },
      ),
    );
  });

  it("R12: a tenant on 2 shards keeps each profile's rows on the one shard the hash names", async () => {
    const clock = new Clock(at(day("2033-01-10")));
    const api = await tenantAt(clock, DEMO_CONSENTS, { shards: 2 });
    const profiles = names(12);
    await api.acceptAll(profiles, ["newsletter"]);
    const { num } = await placementOf(api.tenantId);
    const holders = new Set<string>();
    for (const profileId of profiles) {
      const home = await shardOf(api.tenantId, profileId);
      for (const [binding, shard] of Object.entries(SHARDS)) {
        const row = await shard
          .prepare("SELECT id FROM profile WHERE tenant = ? AND external_id = ?")
          .bind(num, profileId)
          .first();
        expect(row === null).toBe(shard !== home);
        if (row !== null) {
          holders.add(binding);
        }
      }
    }
    // Twelve profiles over two shards: both hold some (the hash spreads them).
    expect(holders.size).toBe(2);
  });
});

describe("a tenant spanning 2 shards answers as one (SPEC §6)", () => {
  it("R5/R10/R11: reads, events, the change feed and the night cover both shards, each change once", async () => {
    const A = day("2033-02-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS, { shards: 2 });
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    const profiles = names(10);
    await api.acceptAll(profiles, ["newsletter", "sms"]);

    // events.track: one call, profiles on both shards, each group in its shard's batch.
    clock.toDay(A + 10);
    const kept = profiles.slice(0, 4);
    const tracked = await api.track(
      kept.map((profileId) => ({ profileId, type: "email_clicked" })),
    );
    expect(tracked.extended).toBe(4);

    // The forecast sums the shards: the six not clicked lapse on A + 30, the four on A + 40.
    const forecast = await api.ok<{ total: number; days: { day: string; count: number }[] }>(
      "query",
      "admin.expiry.forecast",
      { consent: "newsletter", horizonDays: 60 },
    );
    expect(forecast.total).toBe(10);

    // The night over both shards expires every due state once and nothing else.
    clock.toDay(A + 31);
    const runId = await nightlyRun(A + 30);
    const run = await api.run(runId);
    expect(run.perConsent.find((c) => c.consent === "newsletter")).toMatchObject({
      status: "succeeded",
      expired: 6,
    });
    // Per log, the figures add up; the tenant never sees a shard's name.
    const perLog = run.perLog.filter((p) => p.consent === "newsletter");
    expect(perLog.map((p) => p.log)).toEqual([0, 1]);
    expect(perLog.reduce((sum, p) => sum + p.expired, 0)).toBe(6);
    expect(JSON.stringify(run)).not.toMatch(/SHARD_|lapse-shard/);
    expect(await api.statuses(profiles, "newsletter")).toEqual(
      profiles.map((p) => (kept.includes(p) ? "accepted" : "unknown")),
    );
    expect(await api.statuses(profiles, "sms")).toEqual(profiles.map(() => "accepted"));

    // The change feed, by pages of 3: every change of both shards exactly once.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await api.ok<{
        items: { profileId: string; consent: string; reason: string }[];
        nextCursor: string;
      }>("query", "admin.changes.list", { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => `${i.profileId}:${i.consent}:${i.reason}`));
      if (page.items.length === 0) {
        break;
      }
      cursor = page.nextCursor;
    }
    const expected = [
      ...profiles.flatMap((p) => [`${p}:newsletter:api`, `${p}:sms:api`]),
      ...profiles.filter((p) => !kept.includes(p)).map((p) => `${p}:newsletter:expired`),
    ];
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(new Set(seen).size).toBe(seen.length);
    // A page's cursor has one position per shard.
    expect(cursor?.split(".")).toHaveLength(2);

    // Each profile's trail is read from its own shard, whole.
    const trail = await api.history(profiles[9] as string);
    expect(trail.map((h) => `${h.consent}:${h.reason}`)).toEqual(
      kept.includes(profiles[9] as string)
        ? ["newsletter:api", "sms:api"]
        : ["newsletter:api", "sms:api", "newsletter:expired"],
    );
  });
});

describe("the logs of a tenant spanning 2 shards (R11, SPEC §6)", () => {
  it("R11: the checkpoint covers each log; proofs and checks of profiles on either shard verify", async () => {
    const clock = new Clock(at(day("2033-03-01")));
    const api = await tenantAt(clock, DEMO_CONSENTS, { shards: 2 });
    const profiles = names(8);
    await api.acceptAll(profiles, ["newsletter"]);
    const keys = proofKeysOf(env);
    const answer = await api.ok<{
      checkpoint: string;
      treeSize: number;
      verifierKey: string;
      logs: { log: number; origin: string; checkpoint: string; treeSize: number }[];
    }>("query", "admin.proof.checkpoint");
    expect(answer.logs.map((l) => [l.log, l.origin])).toEqual([
      [0, `lapse.test/${api.tenantId}`],
      [1, `lapse.test/${api.tenantId}/1`],
    ]);
    expect(answer.checkpoint).toBe(answer.logs[0]?.checkpoint);
    // Each log holds its own profiles' entries (a binding and an acceptance each), all sealed.
    expect(answer.logs.reduce((sum, l) => sum + l.treeSize, 0)).toBe(profiles.length * 2);
    for (const log of answer.logs) {
      expect((await openCheckpoint(log.checkpoint, [answer.verifierKey], log.origin)).ok).toBe(
        true,
      );
    }

    const { shards } = await placementOf(api.tenantId);
    const onSlot = (slot: number) =>
      profiles.find((p) => slotOf(api.tenantId, p, shards.length) === slot) as string;
    for (const slot of [0, 1]) {
      const profileId = onSlot(slot);
      const doc = await api.ok<ProofDocument>("query", "admin.profiles.proof", { profileId });
      expect(doc.log.origin).toBe(answer.logs[slot]?.origin);
      expect(await verifyProofDocument(doc, await keys.verifierKey())).toMatchObject({ ok: true });
      expect(await api.ok("query", "admin.profiles.verify", { profileId })).toMatchObject({
        ok: true,
        problems: [],
      });
    }

    // A consistency proof is asked of one log; a log the tenant does not have is a 400.
    await api.set(onSlot(1), { sms: "accepted" });
    const grown = await api.ok<{ log: number; from: number; to: number }>(
      "query",
      "admin.proof.consistency",
      { log: 1, from: answer.logs[1]?.treeSize },
    );
    expect(grown).toMatchObject({ log: 1, to: (answer.logs[1]?.treeSize ?? 0) + 1 });
    expectError(
      await api.query("admin.proof.consistency", { log: 2, from: 1 }),
      400,
      "BAD_REQUEST",
    );
  });
});

describe("2 shards answer as 1 (SPEC §6)", () => {
  type Op =
    | {
        kind: "update";
        profile: number;
        consent: "newsletter" | "sms";
        status: "accepted" | "refused";
      }
    | { kind: "track"; profiles: number[]; type: "email_clicked" | "order_placed"; days: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("update" as const),
      profile: fc.integer({ min: 1, max: 6 }),
      consent: fc.constantFrom("newsletter" as const, "sms" as const),
      status: fc.constantFrom("accepted" as const, "refused" as const),
    }),
    fc.record({
      kind: fc.constant("track" as const),
      profiles: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
      type: fc.constantFrom("email_clicked" as const, "order_placed" as const),
      days: fc.integer({ min: 0, max: 20 }),
    }),
  );

  /** What a brand reads of a tenant, with its own key ids taken out of the actors. */
  async function reads(api: Awaited<ReturnType<typeof tenantAt>>) {
    const actor = (a: string) => a.replace(/key_[0-9a-z]+/g, "key");
    const profiles: Record<string, unknown> = {};
    for (let i = 1; i <= 6; i++) {
      const id = `p${i}`;
      profiles[id] = {
        view: await api.profile(id),
        history: (await api.history(id)).map((h) => ({ ...h, actor: actor(h.actor) })),
      };
    }
    const feed: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await api.ok<{ items: Record<string, string>[]; nextCursor: string }>(
        "query",
        "admin.changes.list",
        { limit: 4, ...(cursor ? { cursor } : {}) },
      );
      if (page.items.length === 0) {
        break;
      }
      feed.push(...page.items.map((i) => JSON.stringify({ ...i, actor: actor(i.actor ?? "") })));
      cursor = page.nextCursor;
    }
    const forecast = await api.ok("query", "admin.expiry.forecast", {
      consent: "newsletter",
      horizonDays: 90,
    });
    return { profiles, feed: feed.sort(), forecast };
  }

  it("SPEC §6: for random updates and events, a tenant on 2 shards reads exactly as one on 1", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const A = day("2033-04-01");
        const clock = new Clock(at(A));
        const one = await tenantAt(clock, DEMO_CONSENTS, { shards: 1 });
        const two = await tenantAt(clock, DEMO_CONSENTS, { shards: 2 });
        for (const api of [one, two]) {
          await api.configure("newsletter", { days: 30 });
          await api.activate("newsletter");
        }
        for (const o of ops) {
          if (o.kind === "track") {
            // Customers come back some days later (events may not be dated in the future).
            clock.now += o.days * 86_400_000;
          }
          for (const api of [one, two]) {
            if (o.kind === "update") {
              await api.set(`p${o.profile}`, { [o.consent]: o.status });
            } else {
              await api.track(o.profiles.map((p) => ({ profileId: `p${p}`, type: o.type })));
            }
          }
        }
        expect(await reads(two)).toEqual(await reads(one));
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe("the night fans out per shard (R10, SPEC §6)", () => {
  it("R10: with Queues, a consent of a tenant on 2 shards is one message per shard, each under its own lease", async () => {
    const A = day("2033-05-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS, { shards: 2 });
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    const profiles = names(10);
    await api.acceptAll(profiles, ["newsletter"]);
    const rc = buildExpiryRuntime(env).runContext;
    const sent: ExpiryMessage[] = [];
    const outcome = await runNightlyExpiry(rc, {
      scheduledAt: nightOf(A + 30),
      trigger: "admin",
      tenantId: api.tenantId,
      fanOut: { send: async (messages) => void sent.push(...messages) },
    });
    expect(outcome).toMatchObject({ started: true, status: "running" });
    expect(sent.map((m) => m.shard).sort()).toEqual(["SHARD_0", "SHARD_1"]);
    // One shard's message held by another consumer does not stop the other shard's.
    const [first, second] = sent as [ExpiryMessage, ExpiryMessage];
    const other = { name: `consent:${first.consentId}`, holder: "someone-else" };
    await acquireLease(rc.shard(first.shard), { ...other, now: Date.now(), ttlMs: 60_000 });
    const options = { deadline: Number.POSITIVE_INFINITY, fanOut: { send: async () => {} } };
    await expect(consumeExpiryMessage(rc, first, options)).rejects.toThrow(/another consumer/);
    expect(await consumeExpiryMessage(rc, second, options)).toBe("done");
    await releaseLease(rc.shard(first.shard), other);
    expect(await consumeExpiryMessage(rc, first, options)).toBe("done");
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
    const run = await api.run(outcome.started ? outcome.runId : "");
    expect(run).toMatchObject({ status: "succeeded", expired: 10 });
  });
});
