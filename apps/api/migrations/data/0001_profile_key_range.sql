-- Each data shard allocates profile keys from its own range: a random multiple of 2^32 below
-- 2^47 (6-byte integers in SQLite). A reshard (docs/scaling.md) moves profiles to another shard
-- keeping their keys, which their log entries commit to (R11): keys from disjoint ranges do not
-- meet there. Two shards draw the same range with odds of 1 in 32,768; `tenant:reshard` checks
-- the keys it moves and picks another shard when one is taken.
-- AUTOINCREMENT keeps the largest key ever inserted, so inserting one row at the base and
-- deleting it sets where the keys start.
INSERT INTO `profile` (`id`, `tenant`, `external_id`, `salt`)
SELECT (abs(random()) % 32768) * 4294967296, -1, 'key-range', x''
WHERE NOT EXISTS (SELECT 1 FROM `profile`);
--> statement-breakpoint
DELETE FROM `profile` WHERE `tenant` = -1;
