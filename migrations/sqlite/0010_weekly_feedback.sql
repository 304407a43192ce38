CREATE TABLE `clicks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`link_id` integer NOT NULL,
	`issue_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	`subscriber_id` integer,
	`at` integer NOT NULL,
	`machine` integer DEFAULT false NOT NULL,
	`reason` text,
	FOREIGN KEY (`link_id`) REFERENCES `links`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clicks_link_subscriber_uq` ON `clicks` (`link_id`,`subscriber_id`,`machine`);--> statement-breakpoint
CREATE TABLE `links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	`url` text NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `links_issue_article_uq` ON `links` (`issue_id`,`article_id`);--> statement-breakpoint
CREATE TABLE `votes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	`subscriber_id` integer,
	`value` integer NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "votes_value_ck" CHECK(value IN (-1, 1))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `votes_issue_article_subscriber_uq` ON `votes` (`issue_id`,`article_id`,`subscriber_id`);--> statement-breakpoint
CREATE INDEX `votes_at_idx` ON `votes` (`at`);--> statement-breakpoint
DROP INDEX `issue_articles_article_uq`;--> statement-breakpoint
ALTER TABLE `issue_articles` ADD `edition` text DEFAULT 'daily' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `issue_articles_edition_article_uq` ON `issue_articles` (`edition`,`article_id`);--> statement-breakpoint
ALTER TABLE `issues` ADD `edition` text DEFAULT 'daily' NOT NULL CONSTRAINT "issues_edition_ck" CHECK(edition IN ('daily', 'weekly'));--> statement-breakpoint
DROP INDEX `issues_date_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `issues_edition_date_uq` ON `issues` (`edition`,`date`);--> statement-breakpoint
ALTER TABLE `sources` ADD `feedback_weight` real;--> statement-breakpoint
ALTER TABLE `subscribers` ADD `frequency` text DEFAULT 'daily' NOT NULL CONSTRAINT "subscribers_frequency_ck" CHECK(frequency IN ('daily', 'weekly'));--> statement-breakpoint
ALTER TABLE `subscribers` ADD `excluded_companies` text DEFAULT '[]' NOT NULL;