ALTER TABLE "consent_events" DROP CONSTRAINT "consent_events_type_ck";--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "paused_until" bigint;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "text_only" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_type_ck" CHECK (type IN ('signup', 'confirmation_sent', 'confirm', 'unsubscribe', 'import', 'bounce', 'erase', 'admin_unsubscribe', 'soft_bounce', 'complaint', 'preferences'));