CREATE TABLE `llm_cache` (
	`key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`model` text NOT NULL,
	`text` text NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `llm_usage` (
	`day` text PRIMARY KEY NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `articles` ADD `full_text` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `fulltext_status` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `fulltext_reason` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `fulltext_at` integer;