-- R11: each profile's proof chain stays a line, guarded by the database itself. A line must
-- continue its profile's head (the hash of the profile's newest line, '' for the first), and
-- each line moves the head. Two writers that read the same head cannot both append: the
-- second one's batch fails with "history chain moved" and rolls back whole, and the service
-- runs again on fresh data. This replaces the unique (tenant, profile, prev_hash) index and
-- the head statement every writer ran: one B-tree and about 115 bytes less per history line.
DROP INDEX `consent_history_tenant_id_profile_id_prev_hash_idx`;
--> statement-breakpoint
CREATE TRIGGER `consent_history_chain_guard` BEFORE INSERT ON `consent_history`
WHEN NEW.`prev_hash` IS NOT coalesce((SELECT `hash` FROM `history_head`
  WHERE `tenant_id` = NEW.`tenant_id` AND `profile_id` = NEW.`profile_id`), '')
BEGIN
  SELECT RAISE(ABORT, 'history chain moved: another writer appended to this profile (R11)');
END;
--> statement-breakpoint
CREATE TRIGGER `consent_history_chain_head` AFTER INSERT ON `consent_history`
BEGIN
  INSERT INTO `history_head` (`tenant_id`, `profile_id`, `hash`, `entries`)
  VALUES (NEW.`tenant_id`, NEW.`profile_id`, NEW.`hash`, 1)
  ON CONFLICT (`tenant_id`, `profile_id`) DO UPDATE SET
    `hash` = excluded.`hash`, `entries` = `history_head`.`entries` + 1;
END;
