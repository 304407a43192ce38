CREATE TABLE `articles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_id` integer NOT NULL,
	`guid` text NOT NULL,
	`url` text NOT NULL,
	`canonical_url` text NOT NULL,
	`title` text NOT NULL,
	`author` text,
	`published_at` integer NOT NULL,
	`date_source` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`content_html` text DEFAULT '' NOT NULL,
	`content_text` text DEFAULT '' NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`content_hash` text NOT NULL,
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "articles_date_source_ck" CHECK(date_source IN ('feed', 'first_seen'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_canonical_url_uq` ON `articles` (`canonical_url`);--> statement-breakpoint
CREATE UNIQUE INDEX `articles_source_guid_uq` ON `articles` (`source_id`,`guid`);--> statement-breakpoint
CREATE INDEX `articles_published_at_idx` ON `articles` (`published_at`);--> statement-breakpoint
CREATE INDEX `articles_first_seen_at_idx` ON `articles` (`first_seen_at`);--> statement-breakpoint
CREATE TABLE `consent_events` (
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
	CONSTRAINT "consent_events_type_ck" CHECK(type IN ('signup', 'confirmation_sent', 'confirm', 'unsubscribe', 'import', 'bounce', 'erase', 'admin_unsubscribe'))
);
--> statement-breakpoint
CREATE INDEX `consent_events_subscriber_idx` ON `consent_events` (`subscriber_id`,`at`);--> statement-breakpoint
CREATE TABLE `deliveries` (
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
	CONSTRAINT "deliveries_status_ck" CHECK(status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'skipped'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_issue_subscriber_uq` ON `deliveries` (`issue_id`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `deliveries_claim_idx` ON `deliveries` (`issue_id`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_subscriber_idx` ON `deliveries` (`subscriber_id`);--> statement-breakpoint
CREATE TABLE `issue_articles` (
	`issue_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	`rank` integer NOT NULL,
	`score` real NOT NULL,
	`score_parts` text DEFAULT '{}' NOT NULL,
	`excluded` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`issue_id`, `article_id`),
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issue_articles_article_uq` ON `issue_articles` (`article_id`);--> statement-breakpoint
CREATE TABLE `issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`date` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`window_start` integer NOT NULL,
	`cutoff_at` integer NOT NULL,
	`subject` text NOT NULL,
	`subject_override` text,
	`preheader` text DEFAULT '' NOT NULL,
	`html` text DEFAULT '' NOT NULL,
	`text` text DEFAULT '' NOT NULL,
	`signal_article_id` integer,
	`pinned_signal_article_id` integer,
	`patterns_note` text,
	`patterns_json` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`send_started_at` integer,
	`sent_at` integer,
	`paused_reason` text,
	FOREIGN KEY (`signal_article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pinned_signal_article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "issues_status_ck" CHECK(status IN ('draft', 'sending', 'sent'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issues_date_uq` ON `issues` (`date`);--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job` text NOT NULL,
	`date` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`started_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_runs_job_date_uq` ON `job_runs` (`job`,`date`);--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `resend_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`kind` text NOT NULL,
	`email` text,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`queued` integer NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`feed_url` text NOT NULL,
	`name` text NOT NULL,
	`site_url` text,
	`weight` real DEFAULT 1 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`etag` text,
	`last_modified` text,
	`last_fetch_at` integer,
	`last_success_at` integer,
	`last_error` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`retry_after` integer,
	`created_at` integer NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_feed_url_uq` ON `sources` (`feed_url`);--> statement-breakpoint
CREATE TABLE `subscribers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text,
	`name` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`confirmed_at` integer,
	`unsubscribed_at` integer,
	`bounced_at` integer,
	`last_confirmation_sent_at` integer,
	`consent_source` text,
	`erased_at` integer,
	CONSTRAINT "subscribers_status_ck" CHECK(status IN ('pending', 'confirmed', 'unsubscribed', 'bounced'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscribers_email_uq` ON `subscribers` (`email`);--> statement-breakpoint
CREATE INDEX `subscribers_status_idx` ON `subscribers` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `test_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`email` text NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`message_id` text,
	`smtp_response` text,
	`error` text,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE no action
);
