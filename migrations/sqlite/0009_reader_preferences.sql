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
	CONSTRAINT "consent_events_type_ck" CHECK(type IN ('signup', 'confirmation_sent', 'confirm', 'unsubscribe', 'import', 'bounce', 'erase', 'admin_unsubscribe', 'soft_bounce', 'complaint', 'preferences'))
);
--> statement-breakpoint
INSERT INTO `__new_consent_events`("id", "subscriber_id", "type", "at", "ip", "user_agent", "page", "consent_text_version", "detail") SELECT "id", "subscriber_id", "type", "at", "ip", "user_agent", "page", "consent_text_version", "detail" FROM `consent_events`;--> statement-breakpoint
DROP TABLE `consent_events`;--> statement-breakpoint
ALTER TABLE `__new_consent_events` RENAME TO `consent_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `consent_events_subscriber_idx` ON `consent_events` (`subscriber_id`,`at`);--> statement-breakpoint
ALTER TABLE `subscribers` ADD `paused_until` integer;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `text_only` integer DEFAULT false NOT NULL;