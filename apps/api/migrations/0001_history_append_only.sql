-- R11: the proof trail is append-only. The database itself refuses to rewrite it.
CREATE TRIGGER `consent_history_no_update` BEFORE UPDATE ON `consent_history`
BEGIN
  SELECT RAISE(ABORT, 'consent_history is append-only (R11)');
END;
--> statement-breakpoint
CREATE TRIGGER `consent_history_no_delete` BEFORE DELETE ON `consent_history`
BEGIN
  SELECT RAISE(ABORT, 'consent_history is append-only (R11)');
END;
