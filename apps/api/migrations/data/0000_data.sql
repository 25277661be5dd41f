-- A data shard (SHARD_<n>, docs/scaling.md; storage v2, docs/storage.md): the profiles of the
-- tenants placed on it, their consent states, and each tenant's transparency log (R11) on this
-- shard with its tree and signed checkpoints, plus the leases of the work done on it. No text id is
-- repeated in a per-state or per-line row: profiles, consents, tenants and actors are small
-- integers, statuses, reasons and event types are codes (the tables below name them), and
-- hashes are 32-byte BLOBs.

-- The codes, named. They match @lapse/proof's entry encoding (STATUS_CODES, REASON_CODES).
CREATE TABLE `status_code` (`code` integer PRIMARY KEY NOT NULL, `name` text NOT NULL UNIQUE);
--> statement-breakpoint
INSERT INTO `status_code` VALUES (0, 'unknown'), (1, 'accepted'), (2, 'refused');
--> statement-breakpoint
CREATE TABLE `reason_code` (`code` integer PRIMARY KEY NOT NULL, `name` text NOT NULL UNIQUE);
--> statement-breakpoint
INSERT INTO `reason_code` VALUES
  (1, 'customer'), (2, 'api'), (3, 'entry_event'), (4, 'expired'), (5, 'import'), (6, 'erased');
--> statement-breakpoint
-- What last extended a state (R5): an event type, or 0 for the acceptance itself.
CREATE TABLE `source_code` (`code` integer PRIMARY KEY NOT NULL, `name` text NOT NULL UNIQUE);
--> statement-breakpoint
INSERT INTO `source_code` VALUES
  (0, 'accepted'), (1, 'marketing_operation_joined'), (2, 'email_clicked'), (3, 'sms_clicked'),
  (4, 'order_placed'), (5, 'loyalty_page_visited'), (6, 'consent_accepted'),
  (7, 'account_upserted');
--> statement-breakpoint
-- Who made a change (the key, its channel, or a run): one row per distinct name and tenant.
CREATE TABLE `actor` (
	`id` integer PRIMARY KEY NOT NULL,
	`tenant` integer NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `actor_tenant_name_idx` ON `actor` (`tenant`, `name`);
--> statement-breakpoint
-- A customer of a tenant. `id` is the profile key the states and the log use; `salt` opens
-- the profile's binding entry (R11) and is deleted with the row on erasure (R13).
-- AUTOINCREMENT: a key is never given again after its row is erased, or a new customer
-- would inherit the erased one's entries.
CREATE TABLE `profile` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant` integer NOT NULL,
	`external_id` text NOT NULL,
	`salt` blob NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profile_tenant_external_id_idx` ON `profile` (`tenant`, `external_id`);
--> statement-breakpoint
-- One consent of one profile (R1). `consent` is consent.num, `status` a status_code,
-- `source` a source_code. No row means `unknown`.
CREATE TABLE `state` (
	`profile` integer NOT NULL,
	`consent` integer NOT NULL,
	`status` integer NOT NULL,
	`changed_at` integer NOT NULL,
	`activity_day` integer,
	`source` integer,
	`expired_at` integer,
	PRIMARY KEY (`profile`, `consent`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The nightly scan (R10): accepted states of one consent by last-activity day. It holds the
-- profile key too, so the scan reads the index alone. An accepted state always has a day.
CREATE INDEX `state_due_idx` ON `state` (`consent`, `activity_day`, `profile`) WHERE `status` = 1;
--> statement-breakpoint
-- The log (R11): a tenant's entries in order; `idx` is the entry's leaf index in the tenant's
-- Merkle tree. Writers number entries in the statement that inserts them (the next index
-- after the tenant's largest), so no writer reads anything first and D1's one-writer
-- transactions keep the numbering dense. `kind` 1 is a status change (consent, version,
-- from/to, reason, actor, occurred_at), 2 a profile binding (`data` = the 32-byte commitment),
-- 3 an erasure (`data` = the reason's UTF-8). The canonical bytes that the tree hashes are
-- rebuilt from these columns (docs/proof.md: entry encoding).
CREATE TABLE `entry` (
	`tenant` integer NOT NULL,
	`idx` integer NOT NULL,
	`kind` integer NOT NULL,
	`profile` integer NOT NULL,
	`consent` integer,
	`version` integer,
	`from_status` integer,
	`to_status` integer,
	`reason` integer,
	`actor` integer,
	`occurred_at` integer,
	`recorded_at` integer NOT NULL,
	`data` blob,
	PRIMARY KEY (`tenant`, `idx`)
) WITHOUT ROWID;
--> statement-breakpoint
-- A profile's entries: profile keys are unique across tenants.
CREATE INDEX `entry_profile_idx` ON `entry` (`profile`, `idx`);
--> statement-breakpoint
CREATE TRIGGER `entry_no_update` BEFORE UPDATE ON `entry`
BEGIN
  SELECT RAISE(ABORT, 'the log is append-only (R11)');
END;
--> statement-breakpoint
CREATE TRIGGER `entry_no_delete` BEFORE DELETE ON `entry`
BEGIN
  SELECT RAISE(ABORT, 'the log is append-only (R11)');
END;
--> statement-breakpoint
-- How far each tenant's tree has integrated its log: `size` entries, with root `root`.
CREATE TABLE `log_tree` (
	`tenant` integer PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`root` blob NOT NULL,
	`sealed_at` integer NOT NULL
);
--> statement-breakpoint
-- The tree as C2SP tlog-tiles: tile (level, idx) holds up to 256 hashes of 32 bytes. A partial
-- tile only grows, so its row is rewritten with more hashes, never fewer or other ones.
CREATE TABLE `tile` (
	`tenant` integer NOT NULL,
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hashes` blob NOT NULL,
	PRIMARY KEY (`tenant`, `level`, `idx`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TRIGGER `tile_only_grows` BEFORE UPDATE ON `tile`
WHEN length(NEW.`hashes`) < length(OLD.`hashes`)
  OR substr(NEW.`hashes`, 1, length(OLD.`hashes`)) IS NOT OLD.`hashes`
BEGIN
  SELECT RAISE(ABORT, 'a tile only grows (R11)');
END;
--> statement-breakpoint
CREATE TRIGGER `tile_no_delete` BEFORE DELETE ON `tile`
BEGIN
  SELECT RAISE(ABORT, 'the tree is append-only (R11)');
END;
--> statement-breakpoint
-- Every signed checkpoint (the C2SP signed note text), kept so old proofs stay checkable.
CREATE TABLE `checkpoint` (
	`tenant` integer NOT NULL,
	`size` integer NOT NULL,
	`note` text NOT NULL,
	`signed_at` integer NOT NULL,
	PRIMARY KEY (`tenant`, `size`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TRIGGER `checkpoint_no_update` BEFORE UPDATE ON `checkpoint`
BEGIN
  SELECT RAISE(ABORT, 'checkpoints are append-only (R11)');
END;
--> statement-breakpoint
CREATE TRIGGER `checkpoint_no_delete` BEFORE DELETE ON `checkpoint`
BEGIN
  SELECT RAISE(ABORT, 'checkpoints are append-only (R11)');
END;
--> statement-breakpoint
-- R13: an erased profile's external id as a tenant-keyed HMAC (ERASURE_KEY), so that an
-- import of that id is refused (PROFILE_ERASED) without keeping the id itself.
CREATE TABLE `erased_profile` (
	`tenant` integer NOT NULL,
	`id_hmac` blob NOT NULL,
	`erased_at` integer NOT NULL,
	PRIMARY KEY (`tenant`, `id_hmac`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The leases of the work done on this shard (a consent's nightly chunks, a tenant's sealing):
-- in the same database as the writes they guard, so a chunk's batch checks its lease itself.
-- `holder` is a fencing token (the run id, a sealer's token).
CREATE TABLE `expiry_lease` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
