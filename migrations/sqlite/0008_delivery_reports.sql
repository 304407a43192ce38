CREATE TABLE `delivery_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`channel` text NOT NULL,
	`kind` text NOT NULL,
	`delivery_id` integer,
	`subscriber_id` integer,
	`issue_id` integer,
	`recipient` text,
	`status` text,
	`detail` text,
	`action` text,
	`dedupe_key` text NOT NULL,
	CONSTRAINT "delivery_reports_channel_ck" CHECK(channel IN ('smtp', 'imap', 'ses', 'postmark', 'mailgun', 'sendgrid')),
	CONSTRAINT "delivery_reports_kind_ck" CHECK(kind IN ('hard', 'soft', 'complaint', 'unsubscribe', 'notice', 'unmatched'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `delivery_reports_dedupe_uq` ON `delivery_reports` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `delivery_reports_issue_idx` ON `delivery_reports` (`issue_id`,`kind`);--> statement-breakpoint
CREATE INDEX `delivery_reports_subscriber_idx` ON `delivery_reports` (`subscriber_id`,`received_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_consent_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscriber_id` integer NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`ip` text,
	`user_agent` text,
	`page` text,
	`consent_text_version` text,
	`detail` text,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "consent_events_type_ck" CHECK(type IN ('signup', 'confirmation_sent', 'confirm', 'unsubscribe', 'import', 'bounce', 'erase', 'admin_unsubscribe', 'soft_bounce', 'complaint'))
);
--> statement-breakpoint
INSERT INTO `__new_consent_events`("id", "subscriber_id", "type", "at", "ip", "user_agent", "page", "consent_text_version", "detail") SELECT "id", "subscriber_id", "type", "at", "ip", "user_agent", "page", "consent_text_version", "detail" FROM `consent_events`;--> statement-breakpoint
DROP TABLE `consent_events`;--> statement-breakpoint
ALTER TABLE `__new_consent_events` RENAME TO `consent_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `consent_events_subscriber_idx` ON `consent_events` (`subscriber_id`,`at`);--> statement-breakpoint
ALTER TABLE `subscribers` ADD `soft_bounce_streak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `soft_bounce_issue_id` integer;