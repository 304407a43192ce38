ALTER TABLE "sources" ADD COLUMN "company" text;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "fulltext" boolean;