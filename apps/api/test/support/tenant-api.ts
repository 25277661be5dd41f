import type { EventType } from "@lapse/consent";
import type { getRun } from "../../src/services/runs/index.ts";
import type { ConsentSeed } from "../../src/services/tenants/provision.ts";
import { createTenant, DEMO_CONSENTS, type TestTenant } from "./factories.ts";
import { type CallResult, expectOk, type FetchApp, mutate, query } from "./http.ts";
import { at, Clock, clockedApp, iso } from "./time.ts";

/**
 * One tenant's back end (its secret key, all scopes) calling the API at a chosen instant:
 * the expiry tests move the clock and read what a brand would see.
 */

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
  lapsed: boolean;
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
    for (const id of profileIds) {
      out.push((await this.profile(id))[consent]?.status ?? "absent");
    }
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
export async function tenantAt(
  clock: Clock,
  consents: ConsentSeed[] = [],
  options: { shards?: number } = {},
): Promise<TenantApi> {
  const api = new TenantApi(await createTenant({ consents, ...options }), clock);
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
    for (const c of consents) {
      if (c.expiry?.enabled) {
        await api.deactivate(c.key);
      }
    }
  }
}

/** Two tenants of one clock, each with the newsletter (30 days) active since `A`. */
export async function twoTenants(A: number) {
  const clock = new Clock(at(A));
  const tenants: TenantApi[] = [];
  for (let i = 0; i < 2; i++) {
    const api = await tenantAt(clock, DEMO_CONSENTS);
    await api.configure("newsletter", { days: 30 });
    await api.activate("newsletter");
    tenants.push(api);
  }
  return { clock, a: tenants[0] as TenantApi, b: tenants[1] as TenantApi };
}
