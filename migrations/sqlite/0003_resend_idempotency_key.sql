ALTER TABLE `resend_requests` ADD `idempotency_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `resend_requests_idempotency_key_uq` ON `resend_requests` (`idempotency_key`);