ALTER TABLE `sources` ADD `company` text;--> statement-breakpoint
ALTER TABLE `sources` ADD `fulltext` integer;