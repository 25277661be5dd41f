-- Resharding (`tenant:reshard`, docs/scaling.md). While `resharding_since` is set, the tenant's
-- data writes are refused with UNAVAILABLE (503) and the nightly run leaves it for the next
-- night: its profiles are being copied to its new shards.
ALTER TABLE `tenant` ADD COLUMN `resharding_since` integer;
--> statement-breakpoint
-- A slot added by a reshard holds a fork of the log of the slot it was split from: its first
-- `log_from` entries are that log's first `log_from` entries (same leaves, same root), and its
-- own entries start at `log_from`. The change feed reads it from there. 0 for a slot that was
-- never split off.
ALTER TABLE `tenant_shard` ADD COLUMN `log_from` integer DEFAULT 0 NOT NULL;
