import type { Config } from '../config.js';
import type { Mailer } from './mailer.js';
import { createOutboxMailer } from './outbox.js';
import { createSmtpMailer } from './smtp.js';

/** SMTP when SMTP_URL is set, else the outbox folder. */
export function createMailer(config: Config): Mailer {
  if (config.smtpUrl)
    return createSmtpMailer({ url: config.smtpUrl, poolSize: config.smtpPoolSize, rate: config.sendRate, dkim: config.dkim });
  return createOutboxMailer(config.outboxDir);
}
