import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type nodemailerType from 'nodemailer';
import { toNodemailer } from './compose.js';
import { rawBuffer, type Mailer, type MailMessage, type RawMail, type SendResult } from './mailer.js';

/** Writes each mail as an .eml file in a folder: the default when no SMTP_URL is configured. */
export function createOutboxMailer(dir: string): Mailer {
  mkdirSync(dir, { recursive: true });
  // The composer is loaded by the first composed mail (sendRaw needs none): an idle process does not carry it.
  let composer: ReturnType<typeof nodemailerType.createTransport> | undefined;
  const compose = () =>
    (composer ??= (createRequire(import.meta.url)('nodemailer') as typeof nodemailerType).createTransport({ streamTransport: true, buffer: true, newline: 'windows' }));
  let seq = 0;
  const write = (messageId: string, to: string, data: Buffer | string): SendResult => {
    const safeTo = to.replace(/[^a-z0-9@._-]/gi, '_').slice(0, 80);
    const name = `${Date.now()}-${String(++seq).padStart(6, '0')}-${process.pid}-${safeTo}.eml`;
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name)); // atomic: a reader never sees half a message
    return { messageId, response: `250 written to outbox as ${name}` };
  };
  return {
    kind: 'outbox',
    async send(message: MailMessage) {
      const info = await compose().sendMail(toNodemailer(message));
      return write(String(info.messageId).replace(/^<|>$/g, ''), message.to, info.message as Buffer);
    },
    async sendRaw(message: RawMail) {
      return write(message.messageId, message.to, rawBuffer(message.raw));
    },
    async verify() {
      mkdirSync(dir, { recursive: true });
    },
    async close() {
      composer?.close();
    },
  };
}

/** One file in the outbox, newest first in listings. */
export interface OutboxEntry {
  name: string;
  size: number;
  mtime: number;
}

/** Lists the .eml files of the outbox, newest first. */
export function listOutbox(dir: string, limit = 200): OutboxEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .map((name) => {
      const s = statSync(join(dir, name));
      return { name, size: s.size, mtime: s.mtimeMs };
    })
    .sort((a, b) => b.name.localeCompare(a.name))
    .slice(0, limit);
}

/** Reads one outbox file by name; refuses names that could leave the folder. */
export function readOutboxFile(dir: string, name: string): Buffer | null {
  if (!/^[\w.@-]+\.eml$/.test(name) || name.startsWith('.')) return null;
  try {
    return readFileSync(join(dir, name));
  } catch {
    return null;
  }
}
