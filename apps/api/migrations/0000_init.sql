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
CREATE UNIQUE INDEX `api_key_hash_idx` ON `api_key` (`hash`);--> statement-breakpoint
CREATE INDEX `api_key_tenant_id_idx` ON `api_key` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `consent` (
	`id` text PRIMARY KEY NOT NULL,
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
CREATE UNIQUE INDEX `consent_tenant_id_key_idx` ON `consent` (`tenant_id`,`key`);--> statement-breakpoint
CREATE TABLE `consent_history` (
	`seq` integer PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`consent_id` text NOT NULL,
	`consent_key` text NOT NULL,
	`consent_version` integer NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`reason` text NOT NULL,
	`actor` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consent_history_tenant_id_profile_id_seq_idx` ON `consent_history` (`tenant_id`,`profile_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `consent_history_tenant_id_profile_id_prev_hash_idx` ON `consent_history` (`tenant_id`,`profile_id`,`prev_hash`);--> statement-breakpoint
CREATE INDEX `consent_history_tenant_id_seq_idx` ON `consent_history` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE TABLE `consent_state` (
	`tenant_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`consent_id` text NOT NULL,
	`status` text NOT NULL,
	`status_changed_at` integer NOT NULL,
	`last_activity_day` integer,
	`last_activity_source` text,
	`expired_at` integer,
	PRIMARY KEY(`tenant_id`, `profile_id`, `consent_id`),
	FOREIGN KEY (`consent_id`) REFERENCES `consent`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `consent_state_due_idx` ON `consent_state` (`tenant_id`,`consent_id`,`last_activity_day`,`profile_id`) WHERE status = 'accepted';--> statement-breakpoint
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
CREATE INDEX `expiry_run_started_at_idx` ON `expiry_run` (`started_at`);--> statement-breakpoint
CREATE INDEX `expiry_run_running_idx` ON `expiry_run` (`status`) WHERE status = 'running';--> statement-breakpoint
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
CREATE INDEX `expiry_run_consent_tenant_id_run_id_idx` ON `expiry_run_consent` (`tenant_id`,`run_id`);--> statement-breakpoint
CREATE TABLE `history_head` (
	`tenant_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`hash` text NOT NULL,
	`entries` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `profile_id`)
);
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
CREATE INDEX `signing_key_tenant_id_idx` ON `signing_key` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `tenant` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`cors_origins` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL
);
