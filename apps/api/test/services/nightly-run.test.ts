/**
 * The nightly machinery (R10): leases, resumability, idempotency, D1's own row counters,
 * transient-error retries and the Cloudflare Queues fan-out.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildExpiryRuntime } from "../../src/cron/runtime.ts";
import { isTransientD1Error, withD1Retry } from "../../src/db/retry.ts";
import { consumeExpiryMessage } from "../../src/services/expiry/consume-expiry-message.ts";
import {
  type ConsentWork,
  consentLeaseName,
  expireChunk,
} from "../../src/services/expiry/expire-consent.ts";
import { acquireLease, releaseLease } from "../../src/services/expiry/lease.ts";
import { NIGHTLY_LEASE, runNightlyExpiry } from "../../src/services/expiry/run-nightly.ts";
import type { ExpiryMessage, FanOut, RunContext } from "../../src/services/expiry/runtime.ts";
import { fireCron, handlers } from "../support/cron.ts";
import { consentId, DEMO_CONSENTS } from "../support/factories.ts";
import { placementOf, soleShardOf } from "../support/shards.ts";
import { retireTenants, type TenantApi, tenantAt } from "../support/tenant-api.ts";
import { at, Clock, day, iso, MINUTE_MS, nightOf } from "../support/time.ts";

afterEach(retireTenants);

/** A tenant whose newsletter (30 days) was activated on `A` and accepted by `profiles` on A. */
async function dueOnDay30(A: number, profiles: string[]) {
  const clock = new Clock(at(A));
  const api = await tenantAt(clock, DEMO_CONSENTS);
  await api.configure("newsletter", { days: 30 });
  await api.activate("newsletter");
  await api.acceptAll(profiles, ["newsletter"]);
  return { clock, api };
}

const names = (n: number, prefix = "p") => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** How many `expired` history rows each profile has for a consent. */
async function expiredRows(api: TenantApi, profiles: string[], consent = "newsletter") {
  const out: number[] = [];
  for (const p of profiles) {
    out.push(
      (await api.history(p)).filter((h) => h.consent === consent && h.reason === "expired").length,
    );
  }
  return out;
}

/** The number of a tenant or consent row in the data tables. */
async function numOf(table: "tenant" | "consent", id: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT num FROM ${table} WHERE id = ?`)
    .bind(id)
    .first<{ num: number }>();
  if (!row) {
    throw new Error(`no ${table} ${id}`);
  }
  return row.num;
}

/**
 * The context with every data shard's D1 batches going through `onBatch` first (a chunk's
 * batch is on the tenant's shard): `run` sends the batch on.
 */
function interceptShardBatches(
  rc: RunContext,
  onBatch: (
    statements: D1PreparedStatement[],
    run: () => Promise<D1Result[]>,
  ) => Promise<D1Result[]>,
): RunContext {
  const wrapped = new Map<string, ReturnType<RunContext["shard"]>>();
  return {
    ...rc,
    shard(binding) {
      let db = wrapped.get(binding);
      if (!db) {
        const inner = rc.shard(binding);
        const client = new Proxy(inner.$client, {
          get(target, prop) {
            if (prop === "batch") {
              return (statements: D1PreparedStatement[]) =>
                onBatch(statements, () => target.batch(statements));
            }
            const value = Reflect.get(target, prop);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
        db = Object.assign(Object.create(inner), { $client: client });
        wrapped.set(binding, db as ReturnType<RunContext["shard"]>);
      }
      return db as ReturnType<RunContext["shard"]>;
    },
  };
}

/** The services' context with another chunk size or clock, as the Worker would build it. */
function rcWith(options: { chunkSize?: number; clock?: () => number } = {}): RunContext {
  const vars = { ...env, EXPIRY_CHUNK_SIZE: String(options.chunkSize ?? 1000) } as Env;
  return buildExpiryRuntime(vars, options.clock).runContext;
}

function recordingFanOut(): FanOut & { sent: ExpiryMessage[] } {
  const sent: ExpiryMessage[] = [];
  return {
    sent,
    async send(messages) {
      sent.push(...messages);
    },
  };
}

/** An admin run over `api`'s tenant on the night of A + 30, fanned out to a recording queue. */
async function fannedOut(api: TenantApi, A: number, rc = rcWith()) {
  const fanOut = recordingFanOut();
  const outcome = await runNightlyExpiry(rc, {
    scheduledAt: nightOf(A + 30),
    trigger: "admin",
    tenantId: api.tenantId,
    fanOut,
  });
  if (!outcome.started) {
    throw new Error("did not start");
  }
  return { fanOut, runId: outcome.runId };
}

describe("one run at a time (R10: a lease in the database)", () => {
  it("R10: two runs started at once: one gets the nightly lease, the other does nothing", async () => {
    const A = day("2032-01-05");
    const profiles = names(4);
    const { api } = await dueOnDay30(A, profiles);
    const request = { scheduledAt: nightOf(A + 30), trigger: "cron" as const };

    const outcomes = await Promise.all([
      runNightlyExpiry(rcWith(), request),
      runNightlyExpiry(rcWith(), request),
    ]);
    const started = outcomes.filter((o) => o.started);
    const skipped = outcomes.filter((o) => !o.started);
    expect(started).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ reason: expect.stringMatching(/lease/) });

    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
    expect(await expiredRows(api, profiles)).toEqual([1, 1, 1, 1]);
    const [winner] = started;
    if (!winner?.started) {
      throw new Error("unreachable");
    }
    expect(await api.runFigures(winner.runId, "newsletter")).toMatchObject({ expired: 4 });
  });

  it("R10: while another run holds the nightly lease, the cron does nothing; once released it runs", async () => {
    const A = day("2032-01-20");
    const profiles = names(2);
    const { api } = await dueOnDay30(A, profiles);
    const holder = { name: NIGHTLY_LEASE, holder: "run_elsewhere" };
    expect(
      await acquireLease(rcWith().db, { ...holder, now: Date.now(), ttlMs: 10 * MINUTE_MS }),
    ).toBe(true);

    expect(await fireCron(nightOf(A + 30))).toBeNull();
    expect(await api.statuses(profiles, "newsletter")).toEqual(["accepted", "accepted"]);
    const blocked = await runNightlyExpiry(rcWith(), {
      scheduledAt: nightOf(A + 30),
      trigger: "cron",
    });
    expect(blocked).toEqual({ started: false, reason: expect.stringMatching(/lease/) });

    await releaseLease(rcWith().db, holder);
    const runId = await fireCron(nightOf(A + 30));
    expect(runId).not.toBeNull();
    expect(await api.statuses(profiles, "newsletter")).toEqual(["unknown", "unknown"]);
  });
});

describe("resumable and idempotent (R10)", () => {
  it("R10: a run killed after chunk k is finished by the next run, with no duplicate history", async () => {
    const A = day("2032-02-01");
    const profiles = names(7);
    const { api } = await dueOnDay30(A, profiles);
    const T = nightOf(A + 30);
    const wall = Date.now();
    const dead = rcWith({ chunkSize: 2, clock: () => wall });
    const deadRun = "run_killed";
    const placed = await placementOf(api.tenantId);
    const work: ConsentWork = {
      runId: deadRun,
      tenantId: api.tenantId,
      shard: placed.bindings[0] as string,
      tenantNum: placed.num,
      consentId: await consentId(api.tenantId, "newsletter"),
      consentNum: await numOf("consent", await consentId(api.tenantId, "newsletter")),
      consentKey: "newsletter",
      consentVersion: 1,
      days: 30,
      activationDay: A,
      scheduledAt: T,
    };
    // The dead run held both leases and wrote k = 2 chunks, then vanished without releasing.
    expect(
      await acquireLease(dead.db, {
        name: NIGHTLY_LEASE,
        holder: deadRun,
        now: wall,
        ttlMs: 16 * MINUTE_MS,
      }),
    ).toBe(true);
    expect(
      await acquireLease(dead.shard(work.shard), {
        name: consentLeaseName(work.consentId),
        holder: deadRun,
        now: wall,
        ttlMs: dead.leaseMs,
      }),
    ).toBe(true);
    for (let k = 0; k < 2; k++) {
      expect(await expireChunk(dead, work)).toMatchObject({ held: true, expired: 2 });
    }
    const halfway = await api.statuses(profiles, "newsletter");
    expect(halfway.filter((s) => s === "unknown")).toHaveLength(4);

    // Within the lease's lifetime, no other run may start.
    const tooSoon = await runNightlyExpiry(
      rcWith({ chunkSize: 2, clock: () => wall + MINUTE_MS }),
      {
        scheduledAt: T,
        trigger: "cron",
      },
    );
    expect(tooSoon.started).toBe(false);

    // Past the lease TTL, the next run takes over and finishes the consent.
    const next = await runNightlyExpiry(
      rcWith({ chunkSize: 2, clock: () => wall + 17 * MINUTE_MS }),
      {
        scheduledAt: T,
        trigger: "cron",
      },
    );
    expect(next).toMatchObject({ started: true, status: "succeeded" });
    if (!next.started) {
      throw new Error("unreachable");
    }
    expect(await api.runFigures(next.runId, "newsletter")).toMatchObject({
      status: "succeeded",
      expired: 3,
      chunks: 2,
    });
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
    expect(await expiredRows(api, profiles)).toEqual(profiles.map(() => 1));

    // The dead runner's fencing token no longer writes anything.
    const late = await expireChunk(dead, work);
    expect(late).toMatchObject({ held: false, expired: 0 });
    expect(await expiredRows(api, profiles)).toEqual(profiles.map(() => 1));
  });

  it("R10: a run whose invocation dies mid-way is finished by the next, and no longer shows as running", async () => {
    const A = day("2032-02-08");
    const profiles = names(7);
    const { api } = await dueOnDay30(A, profiles);
    const T = nightOf(A + 30);
    const wall = Date.now();
    // The invocation is killed during its third chunk: nothing after that ever runs, not even
    // its `finally` blocks, so both of its leases stay taken.
    let killed: () => void = () => {};
    const died = new Promise<void>((resolve) => {
      killed = resolve;
    });
    const dying = rcWith({ chunkSize: 2, clock: () => wall });
    let chunks = 0;
    const frozen = interceptShardBatches(dying, (statements, run) => {
      // A chunk is the only batch of exactly four statements (lease, actor, entries, flips).
      if (statements.length === 4 && ++chunks > 2) {
        killed();
        return new Promise(() => {});
      }
      return run();
    });
    void runNightlyExpiry(frozen, { scheduledAt: T, trigger: "cron" });
    await died;
    const runs = await api.ok<{ id: string; status: string; scheduledAt: string }[]>(
      "query",
      "admin.runs.list",
    );
    const deadRun = runs.find((r) => r.scheduledAt === iso(T));
    expect(deadRun).toMatchObject({ status: "running" });
    expect(
      (await api.statuses(profiles, "newsletter")).filter((s) => s === "unknown"),
    ).toHaveLength(4);

    const next = await runNightlyExpiry(
      rcWith({ chunkSize: 2, clock: () => wall + 17 * MINUTE_MS }),
      {
        scheduledAt: T,
        trigger: "cron",
      },
    );
    expect(next).toMatchObject({ started: true, status: "succeeded" });
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
    expect(await expiredRows(api, profiles)).toEqual(profiles.map(() => 1));
    // The console no longer shows the dead run as still running.
    const dead = await api.run(deadRun?.id as string);
    expect(dead.status).toBe("failed");
    expect(dead.finishedAt).not.toBeNull();
    expect(dead.perConsent).toEqual([
      expect.objectContaining({ status: "failed", error: expect.stringMatching(/Abandoned/) }),
    ]);
  });

  it("R10: the same scheduledTime twice changes nothing more", async () => {
    const A = day("2032-02-15");
    const profiles = names(3);
    const { api } = await dueOnDay30(A, profiles);
    const T = nightOf(A + 30);

    const first = await fireCron(T);
    const views = [];
    for (const p of profiles) {
      views.push(await api.profile(p));
    }
    const histories = [];
    for (const p of profiles) {
      histories.push(await api.history(p));
    }
    expect(await api.runFigures(first as string, "newsletter")).toMatchObject({ expired: 3 });

    const second = await fireCron(T);
    expect(second).not.toBe(first);
    expect(await api.runFigures(second as string, "newsletter")).toMatchObject({
      status: "succeeded",
      expired: 0,
    });
    for (const [i, p] of profiles.entries()) {
      expect(await api.profile(p)).toEqual(views[i]);
      expect(await api.history(p)).toEqual(histories[i]);
    }
  });
});

describe("cost of a run (R10)", () => {
  it("R10: a night with nothing due reads almost no rows, and a consent that cannot be due is skipped", async () => {
    const A = day("2032-03-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    clock.toDay(A + 20);
    await api.activate("sms"); // 180 days: nothing can be due before A+200
    const items = names(500, "imp").flatMap((profileId) => [
      { profileId, consent: "newsletter", status: "accepted", changedAt: iso(at(A + 20, "09:00")) },
      { profileId, consent: "sms", status: "accepted", changedAt: iso(at(A + 20, "09:00")) },
    ]);
    await api.ok("mutation", "admin.profiles.import", { items });

    // The newsletter can be due (A + 30 <= A + 35) but none of its 500 states is.
    const quiet = await fireCron(nightOf(A + 35));
    const run = await api.run(quiet as string);
    expect(run.perConsent.map((c) => c.consent)).toEqual(["newsletter"]);
    const [newsletter] = run.perConsent;
    expect(newsletter).toMatchObject({ status: "succeeded", expired: 0, chunks: 1 });
    // Issue 13's floor: ≤ 10 rows read per consent on a night with nothing due.
    expect(newsletter?.rowsRead).toBeLessThanOrEqual(10);

    // The same counter is not blind: the night the 500 states are due, it reads them.
    const busy = await fireCron(nightOf(A + 50));
    const due = await api.runFigures(busy as string, "newsletter");
    expect(due).toMatchObject({ expired: 500 });
    expect(due?.rowsRead).toBeGreaterThanOrEqual(500);
    expect(due?.rowsWritten).toBeGreaterThanOrEqual(1000);
  });

  it("R10: a chunk's list is profile keys, so the longest, most escaped profile ids expire in one chunk", async () => {
    // 128 control characters: 768 bytes once JSON-escaped. 2,400 of them as text would be a
    // 2.2 MB parameter, over D1's 2 MB value limit; the chunk's list holds integer keys.
    const A = day("2032-03-20");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    const profiles = names(2400, "").map((n) => "\u0001".repeat(128 - n.length) + n);
    for (let i = 0; i < profiles.length; i += 400) {
      const items = profiles.slice(i, i + 400).map((profileId) => ({
        profileId,
        consent: "newsletter",
        status: "accepted",
        changedAt: iso(at(A, "09:00")),
      }));
      await api.ok("mutation", "admin.profiles.import", { items });
    }

    const outcome = await runNightlyExpiry(rcWith({ chunkSize: 5000 }), {
      scheduledAt: nightOf(A + 30),
      trigger: "cron",
    });
    if (!outcome.started) {
      throw new Error("the run did not start");
    }
    expect(await api.runFigures(outcome.runId, "newsletter")).toMatchObject({
      status: "succeeded",
      expired: 2400,
      chunks: 1,
    });
    const sample = [profiles[0], profiles[1500], profiles[2399]] as string[];
    expect(await api.statuses(sample, "newsletter")).toEqual(["unknown", "unknown", "unknown"]);
    expect(await expiredRows(api, sample)).toEqual([1, 1, 1]);
  });
});

describe("transient D1 errors are retried (R10)", () => {
  const networkLost = () => new Error("D1_ERROR: Network connection lost.");

  it("R10: 'Network connection lost' is retried with capped backoff, then succeeds", async () => {
    const sleep = vi.fn(async (_ms: number) => {});
    let calls = 0;
    const result = await withD1Retry(
      async () => {
        calls += 1;
        if (calls < 3) {
          throw networkLost();
        }
        return "written";
      },
      { sleep, baseMs: 100, capMs: 150 },
    );
    expect(result).toBe("written");
    expect(calls).toBe(3);
    expect(sleep).toHaveBeenCalledTimes(2);
    const waits = sleep.mock.calls.map(([ms]) => ms);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(150);
    for (const ms of waits) {
      expect(ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("R10: a non-transient error is thrown at once, without retrying", async () => {
    const sleep = vi.fn(async (_ms: number) => {});
    let calls = 0;
    await expect(
      withD1Retry(
        async () => {
          calls += 1;
          throw new Error("D1_ERROR: UNIQUE constraint failed: expiry_run.id");
        },
        { sleep },
      ),
    ).rejects.toThrow(/UNIQUE constraint/);
    expect(calls).toBe(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it("R10: it gives up after the configured attempts and throws the last error", async () => {
    const sleep = vi.fn(async (_ms: number) => {});
    let calls = 0;
    await expect(
      withD1Retry(
        async () => {
          calls += 1;
          throw networkLost();
        },
        { sleep, attempts: 4 },
      ),
    ).rejects.toThrow(/Network connection lost/);
    expect(calls).toBe(4);
    expect(sleep).toHaveBeenCalledTimes(3);
  });

  it.each([
    ["D1_ERROR: Network connection lost.", true],
    ["D1_ERROR: D1 DB reset because its code was updated.", true],
    ["D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.", true],
    ["D1_ERROR: D1 DB is overloaded. Requests queued for too long.", true],
    ["D1_ERROR: no such table: state", false],
    ["D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'", false],
  ])("R10: D1 error %j is transient: %s", (message, transient) => {
    expect(isTransientD1Error(new Error(message))).toBe(transient);
  });

  /** The Worker's D1 binding, with `failures` thrown by the next chunk batches. */
  function flakyContext(failures: Error[]): RunContext {
    return interceptShardBatches(rcWith(), async (statements, run) => {
      // A chunk is the only batch of exactly four statements (lease, actor, entries, flips).
      if (statements.length === 4 && failures.length > 0) {
        throw failures.shift();
      }
      return run();
    });
  }

  it("R10: a run whose chunk meets a transient error retries it and succeeds", async () => {
    const A = day("2032-03-20");
    const profiles = names(3);
    const { api } = await dueOnDay30(A, profiles);
    const outcome = await runNightlyExpiry(flakyContext([networkLost()]), {
      scheduledAt: nightOf(A + 30),
      trigger: "admin",
      tenantId: api.tenantId,
    });
    expect(outcome).toMatchObject({ started: true, status: "succeeded" });
    expect(await api.statuses(profiles, "newsletter")).toEqual(["unknown", "unknown", "unknown"]);
    expect(await expiredRows(api, profiles)).toEqual([1, 1, 1]);
  });

  it("R10/R11: a customer's write between a chunk's probe and its batch takes the chunk's entry numbers; the chunk probes again and the log stays dense", async () => {
    const A = day("2032-03-22");
    const profiles = names(4);
    const { api } = await dueOnDay30(A, profiles);
    let raced = 0;
    const racing = interceptShardBatches(rcWith(), async (statements, run) => {
      // Before the first chunk batch (lease, actor, entries, flips), p4 refuses: its entry
      // takes the number the chunk's probe saw as next.
      if (statements.length === 4 && raced === 0) {
        raced += 1;
        await api.set("p4", { newsletter: "refused" });
      }
      return run();
    });
    const outcome = await runNightlyExpiry(racing, {
      scheduledAt: nightOf(A + 30),
      trigger: "admin",
      tenantId: api.tenantId,
    });
    expect(raced).toBe(1);
    expect(outcome).toMatchObject({ started: true, status: "succeeded" });
    expect(await api.statuses(profiles, "newsletter")).toEqual([
      "unknown",
      "unknown",
      "unknown",
      "refused",
    ]);
    expect(await expiredRows(api, profiles)).toEqual([1, 1, 1, 0]);
    const { num: tenant, db: shard } = await soleShardOf(api.tenantId);
    const log = await shard
      .prepare("SELECT count(*) AS n, min(idx) AS lo, max(idx) AS hi FROM entry WHERE tenant = ?")
      .bind(tenant)
      .first<{ n: number; lo: number; hi: number }>();
    expect(log && log.hi - log.lo + 1).toBe(log?.n);
  });

  it("R10: any other error fails the run visibly, with the consent's error, and changes nothing", async () => {
    const A = day("2032-03-25");
    const profiles = names(3);
    const { api } = await dueOnDay30(A, profiles);
    const outcome = await runNightlyExpiry(
      flakyContext([new Error("D1_ERROR: no such column: boom: SQLITE_ERROR")]),
      { scheduledAt: nightOf(A + 30), trigger: "admin", tenantId: api.tenantId },
    );
    expect(outcome).toMatchObject({ started: true, status: "failed" });
    if (!outcome.started) {
      throw new Error("unreachable");
    }
    const run = await api.run(outcome.runId);
    expect(run.status).toBe("failed");
    expect(run.perConsent).toEqual([
      expect.objectContaining({
        consent: "newsletter",
        status: "failed",
        error: expect.stringMatching(/no such column/),
      }),
    ]);
    // The tenant's health names the consent that failed in the latest run.
    expect(await api.ok("query", "admin.runs.health")).toMatchObject({
      failedConsents: [
        {
          consent: "newsletter",
          runId: outcome.runId,
          error: expect.stringMatching(/no such column/),
        },
      ],
    });
    expect(await api.statuses(profiles, "newsletter")).toEqual([
      "accepted",
      "accepted",
      "accepted",
    ]);
    // The next night (or a retry of the same T) finishes the work.
    const retry = await fireCron(nightOf(A + 30));
    expect(await api.runFigures(retry as string, "newsletter")).toMatchObject({ expired: 3 });
    // The later success clears the failure.
    expect(await api.ok("query", "admin.runs.health")).toMatchObject({ failedConsents: [] });
  });
});

describe("fan-out on Cloudflare Queues (R10)", () => {
  /** Everything one queued run sent, consumed to the end; returns the continuations. */
  async function consumeAll(rc: RunContext, messages: ExpiryMessage[], deadline = () => Infinity) {
    const queue = [...messages];
    let continuations = 0;
    while (queue.length > 0) {
      const message = queue.shift() as ExpiryMessage;
      const next = recordingFanOut();
      const outcome = await consumeExpiryMessage(rc, message, {
        deadline: deadline(),
        fanOut: next,
      });
      if (outcome === "continued") {
        continuations += 1;
      }
      queue.push(...next.sent);
    }
    return continuations;
  }

  it("R10: the cron queues one message per (tenant, consent) with work; the run stays running until they are consumed", async () => {
    const A = day("2032-04-01");
    const clock = new Clock(at(A));
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.configure("order", { days: 20 });
    for (const c of ["newsletter", "order", "sms"]) {
      await api.activate(c);
    }
    const profiles = names(3);
    await api.acceptAll(profiles, ["newsletter", "order", "sms"]);

    const fanOut = recordingFanOut();
    const outcome = await runNightlyExpiry(rcWith(), {
      scheduledAt: nightOf(A + 30),
      trigger: "cron",
      fanOut,
    });
    expect(outcome).toMatchObject({ started: true, status: "running" });
    if (!outcome.started) {
      throw new Error("unreachable");
    }
    const mine = fanOut.sent.filter((m) => m.tenantId === api.tenantId);
    const ids = {
      newsletter: await consentId(api.tenantId, "newsletter"),
      order: await consentId(api.tenantId, "order"),
    };
    // sms (180 days) cannot be due yet: no message for it.
    expect(mine.map((m) => m.consentId).sort()).toEqual([ids.newsletter, ids.order].sort());
    for (const m of mine) {
      expect(m).toEqual({
        runId: outcome.runId,
        tenantId: api.tenantId,
        consentId: m.consentId,
        shard: (await placementOf(api.tenantId)).bindings[0],
        scheduledAt: nightOf(A + 30),
      });
    }
    // Nothing lapsed in the cron invocation itself.
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "accepted"));
    const queued = await api.run(outcome.runId);
    expect(queued).toMatchObject({ status: "running", mode: "queue", finishedAt: null });
    expect(queued.perConsent.map((c) => [c.consent, c.status])).toEqual([
      ["newsletter", "queued"],
      ["order", "queued"],
    ]);

    expect(await consumeAll(rcWith(), fanOut.sent)).toBe(0);
    const done = await api.run(outcome.runId);
    expect(done).toMatchObject({ status: "succeeded", expired: 6 });
    expect(done.finishedAt).not.toBeNull();
    expect(done.perConsent.map((c) => [c.consent, c.status, c.expired])).toEqual([
      ["newsletter", "succeeded", 3],
      ["order", "succeeded", 3],
    ]);
    expect(await api.statuses(profiles, "order")).toEqual(profiles.map(() => "unknown"));
    expect(await api.statuses(profiles, "sms")).toEqual(profiles.map(() => "accepted"));
  });

  it("R10: a consumer past its deadline processes one chunk and enqueues a continuation of itself", async () => {
    const A = day("2032-04-10");
    const profiles = names(5);
    const { api } = await dueOnDay30(A, profiles);
    const rc = rcWith({ chunkSize: 2 });
    const { fanOut, runId } = await fannedOut(api, A, rc);
    expect(fanOut.sent).toHaveLength(1);
    const [message] = fanOut.sent as [ExpiryMessage];

    const continuation = recordingFanOut();
    const first = await consumeExpiryMessage(rc, message, { deadline: 0, fanOut: continuation });
    expect(first).toBe("continued");
    expect(continuation.sent).toEqual([message]);
    expect(
      (await api.statuses(profiles, "newsletter")).filter((s) => s === "unknown"),
    ).toHaveLength(2);
    expect(await api.run(runId)).toMatchObject({
      status: "running",
      perConsent: [expect.objectContaining({ status: "running", expired: 2, chunks: 1 })],
    });

    // Every later delivery is also past its deadline: one chunk each until none is left.
    expect(await consumeAll(rc, continuation.sent, () => 0)).toBe(1);
    expect(await api.run(runId)).toMatchObject({
      status: "succeeded",
      perConsent: [expect.objectContaining({ status: "succeeded", expired: 5, chunks: 3 })],
    });
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
    expect(await expiredRows(api, profiles)).toEqual(profiles.map(() => 1));
  });

  it("R9: a consent deactivated between T and the consumption of its message expires nothing", async () => {
    const A = day("2032-04-20");
    const profiles = names(3);
    const { api, clock } = await dueOnDay30(A, profiles);
    const { fanOut, runId } = await fannedOut(api, A);
    clock.toDay(A + 30, "02:05");
    await api.deactivate("newsletter");

    expect(await consumeAll(rcWith(), fanOut.sent)).toBe(0);
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "accepted"));
    expect(await expiredRows(api, profiles)).toEqual([0, 0, 0]);
    expect(await api.run(runId)).toMatchObject({
      status: "succeeded",
      perConsent: [expect.objectContaining({ status: "succeeded", expired: 0 })],
    });
  });

  /** Delivers the recorded messages to the Worker's queue handler: what it acked and retried. */
  async function deliver(queue: string, messages: ExpiryMessage[], attempts = 1) {
    const batch = createMessageBatch<ExpiryMessage>(
      queue,
      messages.map((body, i) => ({ id: `msg-${i}`, timestamp: Date.now(), attempts, body })),
    );
    const ctx = createExecutionContext();
    await handlers.queue(batch, env, ctx);
    return getQueueResult(batch, ctx);
  }

  it("R10: the Worker's queue handler expires each message's consent and acks it", async () => {
    const A = day("2032-05-01");
    const profiles = names(4);
    const { api } = await dueOnDay30(A, profiles);
    const { fanOut, runId } = await fannedOut(api, A);

    const result = await deliver("lapse-expiry", fanOut.sent);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
    expect(await api.run(runId)).toMatchObject({ status: "succeeded", expired: 4 });
  });

  it("R10: a message whose consent another consumer is expiring is retried by the queue", async () => {
    const A = day("2032-05-10");
    const profiles = names(2);
    const { api } = await dueOnDay30(A, profiles);
    const { fanOut, runId } = await fannedOut(api, A);
    const other = {
      name: consentLeaseName(await consentId(api.tenantId, "newsletter")),
      holder: "run_other_consumer",
    };
    // The consent's lease on the tenant's shard, where its chunks run.
    const shard = rcWith().shard((await placementOf(api.tenantId)).bindings[0] as string);
    await acquireLease(shard, { ...other, now: Date.now(), ttlMs: MINUTE_MS });

    const busyResult = await deliver("lapse-expiry", fanOut.sent);
    expect(busyResult.explicitAcks).toEqual([]);
    expect(busyResult.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
    expect(await api.statuses(profiles, "newsletter")).toEqual(["accepted", "accepted"]);

    await releaseLease(shard, other);
    expect((await deliver("lapse-expiry", fanOut.sent, 2)).explicitAcks).toEqual(["msg-0"]);
    expect(await api.statuses(profiles, "newsletter")).toEqual(["unknown", "unknown"]);
    expect(await api.run(runId)).toMatchObject({ status: "succeeded", expired: 2 });
  });

  it("R10: a message that lands in the dead-letter queue marks its consent, and the run, failed", async () => {
    const A = day("2032-05-20");
    const profiles = names(2);
    const { api } = await dueOnDay30(A, profiles);
    const { fanOut, runId } = await fannedOut(api, A);

    expect((await deliver("lapse-expiry-dlq", fanOut.sent, 6)).explicitAcks).toEqual(["msg-0"]);
    const run = await api.run(runId);
    expect(run.status).toBe("failed");
    expect(run.finishedAt).not.toBeNull();
    expect(run.perConsent).toEqual([
      expect.objectContaining({
        consent: "newsletter",
        status: "failed",
        expired: 0,
        error: expect.stringMatching(/retries/),
      }),
    ]);
    expect(await api.statuses(profiles, "newsletter")).toEqual(["accepted", "accepted"]);
  });

  it("R10: with EXPIRY_MODE=queue the real cron fans out through Cloudflare Queues and the consumer finishes the run", async () => {
    const A = day("2032-06-01");
    const profiles = names(3);
    const { api } = await dueOnDay30(A, profiles);
    // The switch is configuration, not code: the same Worker, another var.
    const queueEnv = { ...env, EXPIRY_MODE: "queue" } as unknown as Env;
    await handlers.scheduled(
      createScheduledController({ scheduledTime: nightOf(A + 30), cron: "0 2 * * *" }),
      queueEnv,
      createExecutionContext(),
    );
    const runId = await env.DB.prepare(
      "SELECT id FROM expiry_run WHERE scheduled_at = ? AND mode = 'queue'",
    )
      .bind(nightOf(A + 30))
      .first<string>("id");
    expect(runId).not.toBeNull();
    // Miniflare delivers the batch to the Worker's queue handler a few seconds later.
    await vi.waitFor(
      async () => {
        expect(await api.run(runId as string)).toMatchObject({ status: "succeeded" });
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(await api.run(runId as string)).toMatchObject({
      mode: "queue",
      perConsent: [expect.objectContaining({ consent: "newsletter", expired: 3 })],
    });
    expect(await api.statuses(profiles, "newsletter")).toEqual(profiles.map(() => "unknown"));
  }, 30_000);
});
