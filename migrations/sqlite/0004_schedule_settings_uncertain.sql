CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`subscriber_id` integer NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`uncertain` integer DEFAULT 0 NOT NULL,
	`resends` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`message_id` text,
	`smtp_response` text,
	`last_error` text,
	`queued_at` integer NOT NULL,
	`sent_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "deliveries_status_ck" CHECK(status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'uncertain'))
);
--> statement-breakpoint
INSERT INTO `__new_deliveries`("id", "issue_id", "subscriber_id", "status", "attempts", "uncertain", "resends", "next_attempt_at", "lease_owner", "lease_until", "message_id", "smtp_response", "last_error", "queued_at", "sent_at", "updated_at") SELECT "id", "issue_id", "subscriber_id", "status", "attempts", "uncertain", "resends", "next_attempt_at", "lease_owner", "lease_until", "message_id", "smtp_response", "last_error", "queued_at", "sent_at", "updated_at" FROM `deliveries`;--> statement-breakpoint
DROP TABLE `deliveries`;--> statement-breakpoint
ALTER TABLE `__new_deliveries` RENAME TO `deliveries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_issue_subscriber_uq` ON `deliveries` (`issue_id`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `deliveries_claim_idx` ON `deliveries` (`issue_id`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_subscriber_idx` ON `deliveries` (`subscriber_id`);