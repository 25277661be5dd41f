-- The control plane (binding DB, docs/scaling.md): tenants, their keys, consents and their
-- wordings, runs, the nightly lease, console sessions and the shard map. Rows keep text ids
-- (they appear in the API); `tenant.num` and `consent.num` are the small integers that the
-- data shards (migrations/data) store instead.
-- A new baseline (storage v2): nothing was deployed before it (README: migrations).
CREATE TABLE `api_key` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`scopes` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenant`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_key_hash_idx` ON `api_key` (`hash`);
--> statement-breakpoint
CREATE INDEX `api_key_tenant_id_idx` ON `api_key` (`tenant_id`);
--> statement-breakpoint
CREATE TABLE `consent` (
	`id` text PRIMARY KEY NOT NULL,
	`num` integer NOT NULL UNIQUE,
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`entry_events` text DEFAULT '[]' NOT NULL,
	`expiry_days` integer,
	`expiry_extend_on` text DEFAULT '[]' NOT NULL,
	`expiry_enabled` integer DEFAULT false NOT NULL,
	`expiry_activated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`archived_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenant`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `consent_tenant_id_key_idx` ON `consent` (`tenant_id`,`key`);
--> statement-breakpoint
CREATE TABLE `consent_version` (
	`tenant_id` text NOT NULL,
	`consent_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`consent_id`, `version`),
	FOREIGN KEY (`consent_id`) REFERENCES `consent`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `expiry_lease` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `expiry_run` (
	`id` text PRIMARY KEY NOT NULL,
	`scheduled_at` integer NOT NULL,
	`tenant_id` text,
	`trigger` text NOT NULL,
	`mode` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `expiry_run_started_at_idx` ON `expiry_run` (`started_at`);
--> statement-breakpoint
CREATE INDEX `expiry_run_running_idx` ON `expiry_run` (`status`) WHERE status = 'running';
--> statement-breakpoint
CREATE TABLE `expiry_run_consent` (
	`run_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`consent_id` text NOT NULL,
	-- The data shard (its binding) this row's figures are of: a consent of a tenant on S shards
	-- has S rows in a run.
	`shard` text NOT NULL,
	`consent_key` text NOT NULL,
	`status` text NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`chunks` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`rows_read` integer DEFAULT 0 NOT NULL,
	`rows_written` integer DEFAULT 0 NOT NULL,
	`error` text,
	PRIMARY KEY(`run_id`, `consent_id`, `shard`),
	FOREIGN KEY (`run_id`) REFERENCES `expiry_run`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `expiry_run_consent_tenant_id_run_id_idx` ON `expiry_run_consent` (`tenant_id`,`run_id`);
--> statement-breakpoint
CREATE TABLE `signing_key` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`secret` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenant`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `signing_key_tenant_id_idx` ON `signing_key` (`tenant_id`);
--> statement-breakpoint
CREATE TABLE `tenant` (
	`id` text PRIMARY KEY NOT NULL,
	`num` integer NOT NULL UNIQUE,
	`name` text NOT NULL,
	`cors_origins` text DEFAULT '[]' NOT NULL,
	-- The D1 jurisdiction its shards must be in ('eu', 'us'), or NULL for any shard.
	`jurisdiction` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `console_session` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenant`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`key_id`) REFERENCES `api_key`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `console_session_tenant_id_idx` ON `console_session` (`tenant_id`);
--> statement-breakpoint
-- The shard map (SPEC §6, docs/scaling.md): every data D1 database of the deployment, by the
-- binding the Worker reaches it through (SHARD_<n> in wrangler.jsonc) and the jurisdiction it
-- was created in (NULL: none). `bytes` is its size as D1 last reported it (the nightly run
-- and shards:list measure it); placement prefers the least-filled shards.
CREATE TABLE `shard` (
	`num` integer PRIMARY KEY NOT NULL,
	`binding` text NOT NULL UNIQUE,
	`name` text NOT NULL,
	`jurisdiction` text,
	`bytes` integer DEFAULT 0 NOT NULL,
	`measured_at` integer,
	`added_at` integer NOT NULL
);
--> statement-breakpoint
-- Where a tenant's data lives: slot `slot` of its S slots (S, a power of two, is its number of
-- rows) is on shard `shard`. A profile's slot is a stable hash of (tenant id, profile id)
-- modulo S (services/shards). No input ever names a shard (R12).
CREATE TABLE `tenant_shard` (
	`tenant_id` text NOT NULL,
	`slot` integer NOT NULL,
	`shard` integer NOT NULL,
	PRIMARY KEY (`tenant_id`, `slot`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenant`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shard`) REFERENCES `shard`(`num`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `tenant_shard_shard_idx` ON `tenant_shard` (`shard`);
--> statement-breakpoint
-- The deployment's first two data shards, bound in wrangler.jsonc as SHARD_0 and SHARD_1 (no
-- jurisdiction). Later ones are added by `pnpm shards:add` (docs/scaling.md).
INSERT INTO `shard` (`num`, `binding`, `name`, `jurisdiction`, `added_at`) VALUES
  (0, 'SHARD_0', 'lapse-shard-0', NULL, 0),
  (1, 'SHARD_1', 'lapse-shard-1', NULL, 0);
