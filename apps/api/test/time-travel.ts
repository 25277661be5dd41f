/**
 * Time travel for the expiry tests: the API called at a chosen instant (a movable clock given
 * to `createApp({ now })`), and the nightly cron fired through the Worker's real `scheduled`
 * entry point with `scheduledTime = T` (never the wall clock).
 */
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type EventType, formatDay, parseDay } from "@lapse/consent";
import { expect } from "vitest";
import { createApp } from "../src/http/app";
import worker from "../src/index";
import type { ExpiryMessage } from "../src/services/expiry/run-nightly";
import type { get as getRun } from "../src/services/runs/get";
import type { ConsentSeed } from "../src/services/tenants/provision";
import {
  type CallResult,
  createTenant,
  DAY_MS,
  expectOk,
  type FetchApp,
  mutate,
  query,
  type TestTenant,
} from "./helpers";

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** The epoch day of a `YYYY-MM-DD` text (R1: UTC days). */
export function day(text: string): number {
  const parsed = parseDay(text);
  if (parsed === undefined) throw new Error(`not a day: ${text}`);
  return parsed;
}

/** `YYYY-MM-DD` of an epoch day. */
export const dayName = formatDay;

/** An instant on an epoch day, at `HH:MM` UTC (10:00 unless told). */
export function at(epochDay: number, time = "10:00"): number {
  const [h, m] = time.split(":").map(Number);
  return epochDay * DAY_MS + (h ?? 0) * HOUR_MS + (m ?? 0) * MINUTE_MS;
}

/** The cron's scheduledTime on an epoch day: 02:00 UTC (`0 2 * * *` in wrangler.jsonc). */
export function nightOf(epochDay: number): number {
  return at(epochDay, "02:00");
}

export const iso = (instant: number) => new Date(instant).toISOString();

/** A clock the API reads: set it, move it by days. */
export class Clock {
  constructor(public now: number) {}
  /** Moves to `time` (10:00 unless told) on an epoch day. */
  toDay(epochDay: number, time = "10:00"): this {
    this.now = at(epochDay, time);
    return this;
  }
  advanceDays(days: number): this {
    this.now += days * DAY_MS;
    return this;
  }
  get today(): number {
    return Math.floor(this.now / DAY_MS);
  }
}

/** The Worker's app with `clock` as its only notion of now. */
export function clockedApp(clock: Clock): FetchApp {
  const app = createApp({ now: () => clock.now });
  return { fetch: (request, e) => app.fetch(request, e, createExecutionContext()) };
}

/** The Worker's handlers, typed as the runtime calls them (with an ExecutionContext). */
export const handlers = worker as Required<
  Pick<ExportedHandler<Env, ExpiryMessage>, "scheduled" | "queue">
>;

export type RunView = Awaited<ReturnType<typeof getRun>>;
export type PerConsent = RunView["perConsent"][number];

export interface ProfileConsentView {
  consent: string;
  kind: string;
  status: "accepted" | "refused" | "unknown";
  statusChangedAt: string | null;
  lastActivityOn: string | null;
  expiresOn: string | null;
  expiredAt: string | null;
}

export interface HistoryItem {
  consent: string;
  from: string;
  to: string;
  reason: string;
  actor: string;
  occurredAt: string;
  recordedAt: string;
}

/** One tenant's back end (its secret key, all scopes) calling the API at the clock's time. */
export class TenantApi {
  readonly app: FetchApp;
  constructor(
    readonly tenant: TestTenant,
    readonly clock: Clock,
  ) {
    this.app = clockedApp(clock);
  }

  get tenantId(): string {
    return this.tenant.tenantId;
  }

  query<T = unknown>(path: string, input?: unknown): Promise<CallResult<T>> {
    return query<T>(path, input, { key: this.tenant.secretKey, app: this.app });
  }

  mutate<T = unknown>(path: string, input: unknown): Promise<CallResult<T>> {
    return mutate<T>(path, input, { key: this.tenant.secretKey, app: this.app });
  }

  async ok<T = unknown>(type: "query" | "mutation", path: string, input?: unknown): Promise<T> {
    return expectOk(
      type === "query" ? await this.query<T>(path, input) : await this.mutate<T>(path, input),
    );
  }

  /** Sets statuses of one profile now (a back end: history reason `api`). */
  async set(profileId: string, changes: Record<string, "accepted" | "refused">) {
    const list = Object.entries(changes).map(([consent, status]) => ({ consent, status }));
    return this.ok<{ consents: ProfileConsentView[] }>("mutation", "profile.update", {
      profileId,
      changes: list,
    });
  }

  /** Accepts the given consents for every profile, now. */
  async acceptAll(profileIds: readonly string[], consents: readonly string[]) {
    for (const profileId of profileIds) {
      await this.set(profileId, Object.fromEntries(consents.map((c) => [c, "accepted"])));
    }
  }

  /** Customer activity happening now (or at `occurredAt`). */
  async track(events: { profileId: string; type: EventType; occurredAt?: number }[]) {
    return this.ok<{ events: number; extended: number; entered: number }>(
      "mutation",
      "events.track",
      {
        events: events.map((e) => ({
          profileId: e.profileId,
          type: e.type,
          occurredAt: iso(e.occurredAt ?? this.clock.now),
        })),
      },
    );
  }

  async profile(profileId: string): Promise<Record<string, ProfileConsentView>> {
    const view = await this.ok<{ consents: ProfileConsentView[] }>("query", "profile.get", {
      profileId,
    });
    return Object.fromEntries(view.consents.map((c) => [c.consent, c]));
  }

  /** The status of one consent for each profile. */
  async statuses(profileIds: readonly string[], consent: string): Promise<string[]> {
    const out: string[] = [];
    for (const id of profileIds) out.push((await this.profile(id))[consent]?.status ?? "absent");
    return out;
  }

  /** A profile's proof trail, oldest first. */
  async history(profileId: string): Promise<HistoryItem[]> {
    const page = await this.ok<{ items: HistoryItem[] }>("query", "profile.history", {
      profileId,
      limit: 200,
    });
    return page.items.toReversed();
  }

  async configure(consent: string, change: { days?: number; extendOn?: EventType[] }) {
    return this.ok("mutation", "admin.expiry.configure", { consent, ...change });
  }

  async activate(consent: string) {
    return this.ok("mutation", "admin.expiry.activate", { consent });
  }

  async deactivate(consent: string) {
    return this.ok("mutation", "admin.expiry.deactivate", { consent });
  }

  async run(runId: string): Promise<RunView> {
    return this.ok<RunView>("query", "admin.runs.get", { id: runId });
  }

  /** This tenant's figures for one consent in a run, or undefined when it was skipped. */
  async runFigures(runId: string, consent: string): Promise<PerConsent | undefined> {
    return (await this.run(runId)).perConsent.find((c) => c.consent === consent);
  }
}

const live: TenantApi[] = [];

/** A fresh tenant whose back end calls the API at `clock`'s time. */
export async function tenantAt(clock: Clock, consents: ConsentSeed[] = []): Promise<TenantApi> {
  const api = new TenantApi(await createTenant({ consents }), clock);
  live.push(api);
  return api;
}

/**
 * Turns expiry off for the tenants of the tests that are over (use in `afterEach`): every
 * cron run scans the enabled consents of every tenant in the file's database, so a file would
 * otherwise get slower with each test. Assertions never depend on it.
 */
export async function retireTenants(): Promise<void> {
  for (const api of live.splice(0)) {
    const consents = await api.ok<{ key: string; expiry: { enabled: boolean } | null }[]>(
      "query",
      "admin.consents.list",
    );
    for (const c of consents) if (c.expiry?.enabled) await api.deactivate(c.key);
  }
}

async function lastRunRowid(): Promise<number> {
  const row = await env.DB.prepare("SELECT max(rowid) AS id FROM expiry_run").first<{
    id: number | null;
  }>();
  return row?.id ?? 0;
}

/**
 * Fires the cron through the Worker's real `scheduled` handler at `scheduledTime` and returns
 * the id of the run it recorded, or null when it did not start (another run held the lease).
 */
export async function fireCron(scheduledTime: number): Promise<string | null> {
  const before = await lastRunRowid();
  await handlers.scheduled(
    createScheduledController({ scheduledTime, cron: "0 2 * * *" }),
    env,
    createExecutionContext(),
  );
  const row = await env.DB.prepare(
    "SELECT id FROM expiry_run WHERE rowid > ? AND trigger = 'cron' ORDER BY rowid DESC LIMIT 1",
  )
    .bind(before)
    .first<{ id: string }>();
  return row?.id ?? null;
}

/** Fires the cron at 02:00 on an epoch day and asserts that it started and succeeded. */
export async function nightlyRun(epochDay: number): Promise<string> {
  const runId = await fireCron(nightOf(epochDay));
  expect(runId, `the cron of ${dayName(epochDay)} did not start`).not.toBeNull();
  const row = await env.DB.prepare("SELECT status, error FROM expiry_run WHERE id = ?")
    .bind(runId)
    .first<{ status: string; error: string | null }>();
  expect(row, `run ${runId}`).toMatchObject({ status: "succeeded" });
  return runId as string;
}
