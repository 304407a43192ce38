CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `send_slots` (
	`name` text PRIMARY KEY NOT NULL,
	`next_at` integer NOT NULL
);
