import type { Config } from '../config.js';
import type { Mailer } from './mailer.js';
import { createOutboxMailer } from './outbox.js';

/** SMTP when SMTP_URL is set (its client is loaded only then), else the outbox folder. */
export async function createMailer(config: Config): Promise<Mailer> {
  if (config.smtpUrl) {
    const { createSmtpMailer } = await import('./smtp.js');
    return createSmtpMailer({ url: config.smtpUrl, poolSize: config.smtpPoolSize, rate: config.sendRate, dkim: config.dkim });
  }
  return createOutboxMailer(config.outboxDir);
}
