-- The control tables: tenants, their keys, consents and their wordings, runs, leases and
-- console sessions. Rows keep text ids (they appear in the API); `tenant.num` and
-- `consent.num` are the small integers that the data tables (0001) store instead.
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
	`consent_key` text NOT NULL,
	`status` text NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`chunks` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`rows_read` integer DEFAULT 0 NOT NULL,
	`rows_written` integer DEFAULT 0 NOT NULL,
	`error` text,
	PRIMARY KEY(`run_id`, `consent_id`),
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
