import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cron from 'node-cron';
// zod's v3 API (shipped in the same package): the same checks at about a tenth of v4's memory in every process.
import { z } from 'zod/v3';

/** Raised for a bad configuration value; its message is the one line printed at start-up. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The installed package's root: the nearest folder above this file with the bundled sources.opml (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const up = resolve(dir, '..');
    if (existsSync(resolve(up, 'sources.opml'))) return up;
    dir = up;
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}
/** The bundled OPML of the default sources. */
export const DEFAULT_SOURCES_FILE = resolve(packageRoot(), 'sources.opml');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be between ${min} and ${max}` });

const nonNegNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, { message: 'must be a number of 0 or more' })
  .transform(Number);

const cronExpr = z.string().refine((v) => cron.validate(v), { message: 'is not a valid cron expression' });

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a known IANA time zone' },
);

const httpUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash;
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute http(s) URL without query or fragment' },
);

const durationList = z.string().transform((v, ctx) => {
  const parts = v.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    const m = /^(\d+)(s|m|h)$/.exec(p);
    if (!m || Number(m[1]) <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${p}" is not a duration such as 30s, 5m or 1h` });
      return z.NEVER;
    }
    out.push(Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h']);
  }
  return out;
});

const mailbox = z.string().refine((v) => !/[\r\n]/.test(v) && /@/.test(v), {
  message: 'must be an address such as "Name <digest@example.com>"',
});

/** What one `newsdesk serve` process can run. */
export const SERVICE_NAMES = ['http', 'sender', 'scheduler'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const schema = z.object({
  PORT: int(0, 65535).default('3000'),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { message: 'must be an address to bind such as 0.0.0.0, 127.0.0.1 or ::' })
    .default('0.0.0.0'),
  PUBLIC_URL: httpUrl.optional(),
  SIGNUP_ORIGINS: z
    .string()
    .transform((v, ctx) => {
      const out: string[] = [];
      for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
        let origin: string | null = null;
        try {
          const u = new URL(part);
          if ((u.protocol === 'http:' || u.protocol === 'https:') && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash) origin = u.origin;
        } catch {
          origin = null;
        }
        if (!origin) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not an origin such as https://www.example.com` });
          return z.NEVER;
        }
        out.push(origin);
      }
      return out;
    })
    .optional(),
  DATABASE_URL: z
    .string()
    .refine((v) => v.startsWith('file:') || v === ':memory:' || /^postgres(ql)?:\/\/[^/]/.test(v), {
      message: 'must be file:PATH (SQLite) or postgres://user:pass@host:5432/db (PostgreSQL)',
    })
    .default('file:./data/newsdesk.sqlite'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_POOL_WAIT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  DATA_DIR: z.string().min(1).default('./data'),
  SMTP_URL: z
    .string()
    .refine(
      (v) => {
        try {
          return ['smtp:', 'smtps:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: 'must be smtp://user:pass@host:port or smtps://…' },
    )
    .optional(),
  MAIL_FROM: mailbox.default('Engineering @ Scale <digest@localhost>'),
  NEWSLETTER_NAME: z
    .string()
    .min(1)
    .max(100)
    .refine((v) => !/[\r\n]/.test(v), { message: 'must be one line' })
    .default('Engineering @ Scale'),
  POSTAL_ADDRESS: z.string().max(300).optional(),
  SECRET_KEY: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  ADMIN_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  DIGEST_CRON: cronExpr.default('0 6 * * *'),
  /** When the weekly edition is assembled and sent (DIGEST_TIMEZONE): by default Mondays at 07:00. */
  WEEKLY_CRON: cronExpr.default('0 7 * * 1'),
  /** off (default): no link rewritten, nothing stored · counts: totals only · subscriber: who clicked and voted. */
  TRACKING: z.enum(['off', 'counts', 'subscriber'], { message: 'must be off, counts or subscriber' }).default('off'),
  DIGEST_TIMEZONE: timeZone.default('UTC'),
  DIGEST_LOOKBACK_HOURS: int(1, 24 * 31).default('24'),
  INGEST_CRON: cronExpr.default('*/30 * * * *'),
  SOURCES_FILE: z.string().min(1).optional(),
  DIGEST_REVIEW: bool.default('false'),
  DIGEST_CATCHUP_HOURS: int(0, 24 * 7).default('6'),
  FEED_TIMEOUT_MS: int(100, 600_000).default('15000'),
  FEED_MAX_BYTES: int(1024, 1024 * 1024 * 1024).default('10485760'),
  INGEST_CONCURRENCY: int(1, 64).default('6'),
  SEND_RATE: nonNegNumber.default('0'),
  SMTP_POOL_SIZE: int(1, 100).default('5'),
  SEND_MARK_BATCH: int(1, 1000).default('64'),
  SEND_RETRY_SCHEDULE: durationList.default('1m,5m,15m,1h,4h'),
  SEND_WARMUP: z
    .string()
    .refine((v) => v.trim() === '' || v.split(',').every((x) => /^\s*[1-9]\d{0,8}\s*$/.test(x)), { message: 'must be a comma-separated list of recipient counts, e.g. 200,500,1000,2000 (empty: off)' })
    .optional(),
  SIGNUP_LIMIT_PER_MINUTE: int(1, 100_000).default('10'),
  UNSUBSCRIBE_MAILTO: z.string().email({ message: 'must be an email address' }).optional(),
  DKIM_DOMAIN: z.string().min(1).optional(),
  DKIM_SELECTOR: z.string().min(1).optional(),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  BOUNCE_ADDRESS: z.string().email({ message: 'must be an email address' }).refine((v) => !v.split('@')[0]!.includes('+'), { message: 'must have no "+" in its local part (newsdesk adds +<token>)' }).optional(),
  BOUNCE_SMTP_PORT: int(0, 65535).optional(),
  BOUNCE_IMAP_URL: z
    .string()
    .refine((v) => /^imaps?:\/\/[^:@/]+:[^@/]+@[^/]+/.test(v), { message: 'must be imaps://user:password@host/MAILBOX (or imap:// on a trusted network)' })
    .optional(),
  BOUNCE_SMTP_HOST: z.string().min(1).default('0.0.0.0'),
  SOFT_BOUNCE_LIMIT: int(1, 50).default('3'),
  SES_TOPIC_ARNS: z.string().optional(),
  DNS_SERVERS: z
    .string()
    .refine((v) => v.split(',').every((x) => /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\])(?::\d{1,5})?$/i.test(x.trim())), { message: 'must list resolver addresses such as 127.0.0.1 or 127.0.0.1:5353' })
    .optional(),
  POSTMARK_WEBHOOK_AUTH: z.string().regex(/^[^:]+:.+$/, { message: 'must be user:password (the Basic auth set on the Postmark webhook)' }).optional(),
  MAILGUN_WEBHOOK_SIGNING_KEY: z.string().min(8).optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(40).optional(),
  LLM_BASE_URL: httpUrl.optional(),
  LLM_MODEL: z.string().min(1).max(200).optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_DAILY_TOKEN_LIMIT: int(0, 1_000_000_000).default('200000'),
  LLM_TIMEOUT_MS: int(100, 600_000).default('60000'),
  LLM_CONCURRENCY: int(1, 32).default('2'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default('false'),
  SERVICES: z
    .string()
    .transform((v, ctx) => {
      const parts = v.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = parts.find((x) => !(SERVICE_NAMES as readonly string[]).includes(x));
      if (bad !== undefined || !parts.length) {
        ctx.addIssue({ code: 'custom', message: `must list services among ${SERVICE_NAMES.join(', ')}${bad !== undefined ? ` ("${bad}" is not one)` : ''}` });
        return z.NEVER;
      }
      return [...new Set(parts)] as ServiceName[];
    })
    .optional(),
});

type Raw = z.output<typeof schema>;

/** The validated configuration; the only place that reads process.env is loadConfig. */
export interface Config {
  port: number;
  /** The address the HTTP server binds. */
  host: string;
  publicUrl: string;
  /** Other sites whose pages may carry the signup form (origins, e.g. https://www.example.com). */
  signupOrigins: string[];
  /** The SQLite file (or ':memory:'); empty when `databaseUrl` is PostgreSQL. */
  databasePath: string;
  /** `sqlite` or `postgres`, from DATABASE_URL. */
  databaseKind: 'sqlite' | 'postgres';
  /** The PostgreSQL connection string (empty for SQLite). */
  databaseUrl: string;
  /** Connections each process keeps to PostgreSQL. */
  databasePoolSize: number;
  /** How long a request waits for a free pooled connection before it gets a 503. */
  databasePoolWaitMs: number;
  dataDir: string;
  outboxDir: string;
  smtpUrl?: string;
  mailFrom: string;
  newsletterName: string;
  postalAddress?: string;
  secretKey: string;
  adminToken: string;
  /** true when ADMIN_TOKEN was generated on this start (printed once). */
  adminTokenGenerated: boolean;
  digestCron: string;
  weeklyCron: string;
  tracking: 'off' | 'counts' | 'subscriber';
  digestTimezone: string;
  digestLookbackHours: number;
  ingestCron: string;
  sourcesFile: string;
  digestReview: boolean;
  digestCatchupHours: number;
  feedTimeoutMs: number;
  feedMaxBytes: number;
  ingestConcurrency: number;
  sendRate: number;
  smtpPoolSize: number;
  /** Accepted copies recorded in one ledger transaction (SEND_MARK_BATCH); with the pool, what a kill can duplicate. */
  sendMarkBatch: number;
  sendRetryScheduleMs: number[];
  /** The most recipients per issue on each day since the first send (SEND_WARMUP); empty: no warm-up. */
  sendWarmup: number[];
  signupLimitPerMinute: number;
  unsubscribeMailto?: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** The envelope sender's base (VERP: bounces+<token>@domain); absent: MAIL_FROM's address, no VERP. */
  bounceAddress?: string;
  /** The inbound SMTP listener for bounce reports and mails to UNSUBSCRIBE_MAILTO (absent: none). */
  bounceSmtp?: { port: number; host: string };
  /** A dedicated mailbox of bounce reports, read every minute (absent: none). */
  bounceImapUrl?: string;
  /** Issues in a row whose copy soft-bounced before the subscriber is bounced. */
  softBounceLimit: number;
  /** Resolvers `newsdesk doctor` asks (empty: the system's). */
  dnsServers: string[];
  /** Provider webhooks and their secrets; a provider without one has no webhook. */
  webhooks: { sesTopicArns: string[]; postmarkAuth?: string; mailgunSigningKey?: string; sendgridPublicKey?: string };
  /** An OpenAI-compatible endpoint that writes summaries and paragraphs (LLM_*); absent: nothing leaves the machine. */
  llm?: { baseUrl: string; model: string; apiKey: string; dailyTokenLimit: number; timeoutMs: number; concurrency: number };
  logLevel: Raw['LOG_LEVEL'];
  trustProxy: boolean;
  /** What `serve` runs in this process (SERVICES). */
  services: ServiceName[];
  warnings: string[];
}

const blankToUndefined = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));

function readOrCreateSecret(file: string, make: () => string): { value: string; created: boolean } {
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return { value, created: false };
  }
  const value = make();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, value + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value, created: true };
}

/**
 * Validates env into a Config. Generates SECRET_KEY and ADMIN_TOKEN into DATA_DIR when unset.
 * Throws ConfigError with one line naming the variable on the first bad value.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = schema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(`${name} ${issue.message}`);
  }
  const r = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const dataDir = abs(r.DATA_DIR);
  const databaseKind = r.DATABASE_URL.startsWith('postgres') ? 'postgres' : 'sqlite';
  const databasePath = databaseKind === 'postgres' ? '' : r.DATABASE_URL === ':memory:' ? ':memory:' : abs(r.DATABASE_URL.slice('file:'.length));
  const warnings: string[] = [];

  if (!r.POSTAL_ADDRESS) warnings.push('POSTAL_ADDRESS is not set: anti-spam laws require a postal address in every mail footer');
  if (r.DKIM_DOMAIN || r.DKIM_SELECTOR || r.DKIM_PRIVATE_KEY) {
    if (!(r.DKIM_DOMAIN && r.DKIM_SELECTOR && r.DKIM_PRIVATE_KEY))
      throw new ConfigError('DKIM_PRIVATE_KEY, DKIM_DOMAIN and DKIM_SELECTOR must be set together');
  }
  let dkim: Config['dkim'];
  if (r.DKIM_DOMAIN && r.DKIM_SELECTOR && r.DKIM_PRIVATE_KEY) {
    let key = r.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n');
    if (!key.includes('-----BEGIN')) {
      try {
        key = readFileSync(abs(key), 'utf8');
      } catch {
        throw new ConfigError(`DKIM_PRIVATE_KEY is neither a PEM key nor a readable file: ${r.DKIM_PRIVATE_KEY}`);
      }
    }
    if (!key.includes('PRIVATE KEY')) throw new ConfigError('DKIM_PRIVATE_KEY does not contain a PEM private key');
    dkim = { domainName: r.DKIM_DOMAIN, keySelector: r.DKIM_SELECTOR, privateKey: key };
  }

  const secret = r.SECRET_KEY
    ? { value: r.SECRET_KEY, created: false }
    : readOrCreateSecret(resolve(dataDir, 'secret.key'), () => randomBytes(32).toString('base64url'));
  const admin = r.ADMIN_TOKEN
    ? { value: r.ADMIN_TOKEN, created: false }
    : readOrCreateSecret(resolve(dataDir, 'admin.token'), () => randomBytes(24).toString('base64url'));
  if (secret.value.length < 32) throw new ConfigError('SECRET_KEY must be at least 32 characters');
  if (secret.value === admin.value) throw new ConfigError('ADMIN_TOKEN must differ from SECRET_KEY');

  // Unset, links follow the port the service listens on (PORT=8080 → http://localhost:8080).
  const publicUrl = (r.PUBLIC_URL ?? `http://localhost:${r.PORT || 3000}`).replace(/\/+$/, '');
  const sourcesFile = r.SOURCES_FILE ? abs(r.SOURCES_FILE) : DEFAULT_SOURCES_FILE;
  if (r.SOURCES_FILE && !existsSync(sourcesFile)) throw new ConfigError(`SOURCES_FILE names a file that does not exist: ${sourcesFile}`);
  if (env.NODE_ENV === 'production' && /^http:\/\/(localhost|127\.)/.test(publicUrl))
    throw new ConfigError('PUBLIC_URL must be the public address of this service in production (it is in every mail)');

  if (r.LLM_BASE_URL && !r.LLM_MODEL) throw new ConfigError('LLM_MODEL must name the model to use when LLM_BASE_URL is set (e.g. llama3.1 for Ollama)');
  const llm: Config['llm'] = r.LLM_BASE_URL
    ? {
        baseUrl: r.LLM_BASE_URL.replace(/\/+$/, ''),
        model: r.LLM_MODEL!,
        // Local servers (Ollama, llama.cpp) ignore the key, but the client needs one.
        apiKey: r.LLM_API_KEY ?? 'none',
        dailyTokenLimit: r.LLM_DAILY_TOKEN_LIMIT,
        timeoutMs: r.LLM_TIMEOUT_MS,
        concurrency: r.LLM_CONCURRENCY,
      }
    : undefined;

  return {
    port: r.PORT,
    host: r.HOST,
    publicUrl,
    signupOrigins: r.SIGNUP_ORIGINS ?? [],
    databasePath,
    databaseKind,
    databaseUrl: databaseKind === 'postgres' ? r.DATABASE_URL : '',
    databasePoolSize: r.DATABASE_POOL_SIZE,
    databasePoolWaitMs: r.DATABASE_POOL_WAIT_MS,
    dataDir,
    outboxDir: resolve(dataDir, 'outbox'),
    smtpUrl: r.SMTP_URL,
    mailFrom: r.MAIL_FROM,
    newsletterName: r.NEWSLETTER_NAME,
    postalAddress: r.POSTAL_ADDRESS,
    secretKey: secret.value,
    adminToken: admin.value,
    adminTokenGenerated: admin.created,
    digestCron: r.DIGEST_CRON,
    weeklyCron: r.WEEKLY_CRON,
    tracking: r.TRACKING,
    digestTimezone: r.DIGEST_TIMEZONE,
    digestLookbackHours: r.DIGEST_LOOKBACK_HOURS,
    ingestCron: r.INGEST_CRON,
    sourcesFile,
    digestReview: r.DIGEST_REVIEW,
    digestCatchupHours: r.DIGEST_CATCHUP_HOURS,
    feedTimeoutMs: r.FEED_TIMEOUT_MS,
    feedMaxBytes: r.FEED_MAX_BYTES,
    ingestConcurrency: r.INGEST_CONCURRENCY,
    sendRate: r.SEND_RATE,
    smtpPoolSize: r.SMTP_POOL_SIZE,
    sendMarkBatch: r.SEND_MARK_BATCH,
    sendRetryScheduleMs: r.SEND_RETRY_SCHEDULE,
    sendWarmup: (r.SEND_WARMUP ?? '').split(',').map((x) => x.trim()).filter(Boolean).map(Number),
    signupLimitPerMinute: r.SIGNUP_LIMIT_PER_MINUTE,
    unsubscribeMailto: r.UNSUBSCRIBE_MAILTO,
    dkim,
    bounceAddress: r.BOUNCE_ADDRESS?.toLowerCase(),
    bounceSmtp: r.BOUNCE_SMTP_PORT !== undefined ? { port: r.BOUNCE_SMTP_PORT, host: r.BOUNCE_SMTP_HOST } : undefined,
    softBounceLimit: r.SOFT_BOUNCE_LIMIT,
    bounceImapUrl: r.BOUNCE_IMAP_URL,
    dnsServers: (r.DNS_SERVERS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    webhooks: {
      sesTopicArns: (r.SES_TOPIC_ARNS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
      postmarkAuth: r.POSTMARK_WEBHOOK_AUTH,
      mailgunSigningKey: r.MAILGUN_WEBHOOK_SIGNING_KEY,
      sendgridPublicKey: r.SENDGRID_WEBHOOK_PUBLIC_KEY,
    },
    llm,
    logLevel: r.LOG_LEVEL,
    trustProxy: r.TRUST_PROXY,
    services: r.SERVICES ?? [...SERVICE_NAMES],
    warnings,
  };
}

/** A printable copy of the config with every secret replaced. */
export function redactConfig(c: Config): Record<string, unknown> {
  const hideLogin = (url: string) => url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
  return {
    ...c,
    smtpUrl: c.smtpUrl ? hideLogin(c.smtpUrl) : undefined,
    databaseUrl: hideLogin(c.databaseUrl),
    secretKey: '[redacted]',
    adminToken: '[redacted]',
    dkim: c.dkim ? { ...c.dkim, privateKey: '[redacted]' } : undefined,
    llm: c.llm ? { ...c.llm, apiKey: '[redacted]' } : undefined,
    bounceImapUrl: c.bounceImapUrl ? hideLogin(c.bounceImapUrl) : undefined,
    webhooks: { ...c.webhooks, postmarkAuth: c.webhooks.postmarkAuth ? '[redacted]' : undefined, mailgunSigningKey: c.webhooks.mailgunSigningKey ? '[redacted]' : undefined },
  };
}
