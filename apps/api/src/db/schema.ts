import { sql } from "drizzle-orm";
import {
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * Every control table but `tenant` carries `tenant_id`, every data table the tenant's `num`
 * (or a profile key, which belongs to one tenant), and every query filters on it (R12). Instants
 * are epoch milliseconds; days are epoch days (whole UTC days since 1970-01-01, R1).
 */

export const tenant = sqliteTable("tenant", {
  id: text("id").primaryKey(),
  /** The tenant's number in the data tables (profiles, log). */
  num: integer("num").notNull().unique(),
  name: text("name").notNull(),
  /** JSON array of origins allowed to call with a publishable key. */
  corsOrigins: text("cors_origins").notNull().default("[]"),
  /** The D1 jurisdiction its shards must be in, or null for any (docs/scaling.md). */
  jurisdiction: text("jurisdiction", { enum: ["eu", "us"] }),
  /** R5: a click sooner than this after its message was sent is ignored (0: off). */
  minSecondsAfterSend: integer("min_seconds_after_send").notNull().default(10),
  createdAt: integer("created_at").notNull(),
  /** Set while `tenant:reshard` copies its data: its data writes are refused meanwhile. */
  reshardingSince: integer("resharding_since"),
});

/** The shard map (control plane): every data D1 database, by its Worker binding. */
export const shard = sqliteTable("shard", {
  num: integer("num").primaryKey(),
  binding: text("binding").notNull().unique(),
  name: text("name").notNull(),
  jurisdiction: text("jurisdiction", { enum: ["eu", "us"] }),
  /** Its size in bytes as D1 last reported it. */
  bytes: integer("bytes").notNull().default(0),
  measuredAt: integer("measured_at"),
  addedAt: integer("added_at").notNull(),
});

/** A tenant's placement: slot `slot` of its S slots lives on shard `shard`. */
export const tenantShard = sqliteTable(
  "tenant_shard",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenant.id),
    slot: integer("slot").notNull(),
    shard: integer("shard")
      .notNull()
      .references(() => shard.num),
    /** A slot split off by a reshard: its log is a fork whose own entries start here. */
    logFrom: integer("log_from").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.slot] }),
    index("tenant_shard_shard_idx").on(t.shard),
  ],
);

/** HS256 secrets a tenant's back end signs profile tokens with; `id` is the token's `kid`. */
export const signingKey = sqliteTable(
  "signing_key",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenant.id),
    secret: text("secret").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("signing_key_tenant_id_idx").on(t.tenantId)],
);

export const apiKey = sqliteTable(
  "api_key",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenant.id),
    kind: text("kind", { enum: ["secret", "publishable"] }).notNull(),
    /** JSON array of scopes (`admin`, `profiles`, `events`); empty for publishable keys. */
    scopes: text("scopes").notNull(),
    name: text("name").notNull(),
    /** The first characters of the key, to recognise it in a list. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key, hex. The key itself is shown once and never stored. */
    hash: text("hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_key_hash_idx").on(t.hash),
    index("api_key_tenant_id_idx").on(t.tenantId),
  ],
);

export const consent = sqliteTable(
  "consent",
  {
    id: text("id").primaryKey(),
    /** The consent's number in the data tables (states, log). */
    num: integer("num").notNull().unique(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenant.id),
    key: text("key").notNull(),
    kind: text("kind", { enum: ["opt_in", "legal_basis"] }).notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    /** Bumped when the text changes, so the proof says which text a customer answered. */
    version: integer("version").notNull().default(1),
    /** JSON array of event types (legal bases only, R4). */
    entryEvents: text("entry_events").notNull().default("[]"),
    /** Expiry policy (docs/rules.md: words); `expiry_days` null means no policy configured. */
    expiryDays: integer("expiry_days"),
    expiryExtendOn: text("expiry_extend_on").notNull().default("[]"),
    expiryEnabled: integer("expiry_enabled", { mode: "boolean" }).notNull().default(false),
    expiryActivatedAt: integer("expiry_activated_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    archivedAt: integer("archived_at"),
  },
  (t) => [uniqueIndex("consent_tenant_id_key_idx").on(t.tenantId, t.key)],
);

/*
 * The data tables (each data shard's migrations/data, docs/storage.md) are written and read with bound SQL over
 * `json_each` (services/profiles/states.ts, services/proof/); their shapes, for the few typed
 * reads, are below. Hand-written migrations: `WITHOUT ROWID` and the append-only triggers are
 * beyond drizzle-kit.
 */

/** A tenant's customer: `id` is the profile key of the states and the log. */
export const profile = sqliteTable("profile", {
  id: integer("id").primaryKey(),
  tenant: integer("tenant").notNull(),
  externalId: text("external_id").notNull(),
  salt: blob("salt").notNull(),
});

/** One consent of one profile (R1); codes as in db/codes.ts. No row means `unknown`. */
export const state = sqliteTable(
  "state",
  {
    profile: integer("profile").notNull(),
    /** consent.num */
    consent: integer("consent").notNull(),
    status: integer("status").notNull(),
    changedAt: integer("changed_at").notNull(),
    activityDay: integer("activity_day"),
    source: integer("source"),
    expiredAt: integer("expired_at"),
  },
  (t) => [primaryKey({ columns: [t.profile, t.consent] })],
);

/** The signed checkpoints of each tenant's log (R11), oldest first by size. */
export const checkpoint = sqliteTable(
  "checkpoint",
  {
    tenant: integer("tenant").notNull(),
    size: integer("size").notNull(),
    note: text("note").notNull(),
    signedAt: integer("signed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.size] })],
);

/** Every wording a consent has had, so the proof says what each customer answered (R11). */
export const consentVersion = sqliteTable(
  "consent_version",
  {
    tenantId: text("tenant_id").notNull(),
    consentId: text("consent_id")
      .notNull()
      .references(() => consent.id),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.consentId, t.version] })],
);

/**
 * One execution of the nightly expiry (R10) at `scheduled_at` (the cron's scheduledTime, T).
 * `tenant_id` is set for a run an admin triggered for one tenant, null for the cron's.
 */
export const expiryRun = sqliteTable(
  "expiry_run",
  {
    id: text("id").primaryKey(),
    scheduledAt: integer("scheduled_at").notNull(),
    tenantId: text("tenant_id"),
    trigger: text("trigger", { enum: ["cron", "admin"] }).notNull(),
    mode: text("mode", { enum: ["inline", "queue"] }).notNull(),
    status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    error: text("error"),
  },
  (t) => [
    index("expiry_run_started_at_idx").on(t.startedAt),
    // Runs still marked running: found without scanning the run history.
    index("expiry_run_running_idx").on(t.status).where(sql`status = 'running'`),
  ],
);

/** A run's work on one consent: what the admin console and the bench read. */
export const expiryRunConsent = sqliteTable(
  "expiry_run_consent",
  {
    runId: text("run_id")
      .notNull()
      .references(() => expiryRun.id),
    tenantId: text("tenant_id").notNull(),
    consentId: text("consent_id").notNull(),
    /** The data shard (its binding) these figures are of. */
    shard: text("shard").notNull(),
    consentKey: text("consent_key").notNull(),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed"] }).notNull(),
    expired: integer("expired").notNull().default(0),
    chunks: integer("chunks").notNull().default(0),
    durationMs: integer("duration_ms").notNull().default(0),
    /** D1's own counters, summed over the run's statements for this consent. */
    rowsRead: integer("rows_read").notNull().default(0),
    rowsWritten: integer("rows_written").notNull().default(0),
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.consentId, t.shard] }),
    index("expiry_run_consent_tenant_id_run_id_idx").on(t.tenantId, t.runId),
  ],
);

/**
 * Leases so that two runs never work at once (R10): `nightly` for a whole run (control plane),
 * `consent:<id>` for the chunks of one consent and `seal:<tenant num>` for a sealer (the same
 * table in each data shard). `holder` is the fencing token: every chunk's writes check it
 * in the same batch, so a runner that lost its lease cannot write.
 */
export const expiryLease = sqliteTable("expiry_lease", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * Admin console sessions: an admin secret key exchanged for a short-lived HttpOnly cookie, so
 * the browser never keeps the key. `id` is the SHA-256 of the cookie's token.
 */
export const consoleSession = sqliteTable(
  "console_session",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenant.id),
    keyId: text("key_id")
      .notNull()
      .references(() => apiKey.id),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("console_session_tenant_id_idx").on(t.tenantId)],
);
