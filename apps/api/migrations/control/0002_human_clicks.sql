-- R5, human clicks only (README: events from an ESP): a click (email_clicked, sms_clicked) less
-- than this many seconds after its message was sent (`sentAt`) is a mail scanner's and extends
-- nothing. 0 switches the rule off. `admin.settings.update` sets it.
ALTER TABLE `tenant` ADD COLUMN `min_seconds_after_send` integer DEFAULT 10 NOT NULL;
