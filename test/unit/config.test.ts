import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../src/config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'newsdesk-config-'));
const base = (d: string) => ({ DATA_DIR: d, SECRET_KEY: 'k'.repeat(40), ADMIN_TOKEN: 'admin-token-123456789' });

describe('loadConfig', () => {
  it('applies the SPEC defaults', () => {
    const d = dir();
    const c = loadConfig({ DATA_DIR: d }, d);
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.databasePath).toBe(join(d, 'data/newsdesk.sqlite'));
    expect(c.databaseKind).toBe('sqlite');
    expect(c.databasePoolSize).toBe(10);
    expect(c.mailFrom).toBe('Engineering @ Scale <digest@localhost>');
    expect(c.newsletterName).toBe('Engineering @ Scale');
    expect(c.digestCron).toBe('0 6 * * *');
    expect(c.digestTimezone).toBe('UTC');
    expect(c.digestLookbackHours).toBe(24);
    expect(c.ingestCron).toBe('*/30 * * * *');
    expect(c.digestReview).toBe(false);
    expect(c.digestCatchupHours).toBe(6);
    expect(c.feedTimeoutMs).toBe(15000);
    expect(c.feedMaxBytes).toBe(10485760);
    expect(c.ingestConcurrency).toBe(6);
    expect(c.sendRate).toBe(0);
    expect(c.smtpPoolSize).toBe(5);
    expect(c.sendMarkBatch).toBe(64);
    expect(c.sendRetryScheduleMs).toEqual([60_000, 300_000, 900_000, 3_600_000, 14_400_000]);
    expect(c.signupLimitPerMinute).toBe(10);
    expect(c.logLevel).toBe('info');
    expect(c.smtpUrl).toBeUndefined();
    expect(c.warnings.join(' ')).toMatch(/POSTAL_ADDRESS/);
  });

  it('generates the secret key and admin token once, mode 0600', () => {
    const d = dir();
    const first = loadConfig({ DATA_DIR: d }, d);
    expect(first.adminTokenGenerated).toBe(true);
    expect(first.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(d, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'admin.token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d, 'admin.token'), 'utf8').trim()).toBe(first.adminToken);
    const second = loadConfig({ DATA_DIR: d }, d);
    expect(second.adminTokenGenerated).toBe(false);
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.adminToken).toBe(first.adminToken);
  });

  it.each([
    ['PORT', 'abc', /^PORT must be a whole number/],
    ['PORT', '70000', /^PORT must be between/],
    ['PUBLIC_URL', 'ftp://x', /^PUBLIC_URL /],
    ['DATABASE_URL', 'mysql://x/y', /^DATABASE_URL /],
    ['DATABASE_POOL_SIZE', '0', /^DATABASE_POOL_SIZE /],
    ['SMTP_URL', 'http://mail', /^SMTP_URL /],
    ['DIGEST_CRON', 'every day', /^DIGEST_CRON is not a valid cron/],
    ['DIGEST_TIMEZONE', 'Mars/Olympus', /^DIGEST_TIMEZONE is not a known IANA time zone/],
    ['DIGEST_REVIEW', 'maybe', /^DIGEST_REVIEW must be true or false/],
    ['SEND_RATE', '-1', /^SEND_RATE /],
    ['SMTP_POOL_SIZE', '0', /^SMTP_POOL_SIZE must be between/],
    ['SEND_MARK_BATCH', '0', /^SEND_MARK_BATCH must be between/],
    ['SEND_RETRY_SCHEDULE', '1m,soon', /^SEND_RETRY_SCHEDULE "soon" is not a duration/],
    ['SECRET_KEY', 'short', /^SECRET_KEY must be at least 32/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL /],
    ['MAIL_FROM', 'x\r\nBcc: y@z', /^MAIL_FROM /],
    ['SOURCES_FILE', '/nonexistent/feeds.opml', /^SOURCES_FILE names a file that does not exist: \/nonexistent\/feeds\.opml$/],
    ['SIGNUP_ORIGINS', 'https://ok.example.com,not a url', /^SIGNUP_ORIGINS "not a url" is not an origin/],
    ['SIGNUP_ORIGINS', 'https://www.example.com/signup', /^SIGNUP_ORIGINS .* is not an origin/],
    ['HOST', 'local host', /^HOST must be an address/],
    ['LLM_BASE_URL', 'ollama:11434', /^LLM_BASE_URL must be an absolute http\(s\) URL/],
    ['LLM_BASE_URL', 'http://127.0.0.1:11434/v1', /^LLM_MODEL must name the model/],
    ['LLM_TIMEOUT_MS', '10', /^LLM_TIMEOUT_MS must be between/],
    ['BOUNCE_ADDRESS', 'bounces+x@news.example.com', /^BOUNCE_ADDRESS must have no "\+"/],
    ['BOUNCE_IMAP_URL', 'imap.example.com', /^BOUNCE_IMAP_URL must be imaps:\/\/user:password@host/],
    ['SEND_WARMUP', '200,lots', /^SEND_WARMUP must be a comma-separated list of recipient counts/],
    ['DNS_SERVERS', '1.1.1.1,resolver', /^DNS_SERVERS must list resolver addresses/],
    ['POSTMARK_WEBHOOK_AUTH', 'nocolon', /^POSTMARK_WEBHOOK_AUTH must be user:password/],
    ['SERVICES', 'http,mailer', /^SERVICES must list services among http, sender, scheduler \("mailer" is not one\)$/],
    ['SERVICES', ' , ', /^SERVICES must list services/],
  ])('rejects %s=%j with one line naming it', (name, value, pattern) => {
    const d = dir();
    let err: unknown;
    try {
      loadConfig({ ...base(d), [name]: value }, d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain('\n');
  });

  it('has no language model unless LLM_BASE_URL is set; its key is redacted', () => {
    const d = dir();
    expect(loadConfig(base(d), d).llm).toBeUndefined();
    const c = loadConfig({ ...base(d), LLM_BASE_URL: 'http://127.0.0.1:11434/v1/', LLM_MODEL: 'llama3.1', LLM_API_KEY: 'sk-secret' }, d);
    expect(c.llm).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1', apiKey: 'sk-secret', dailyTokenLimit: 200000, timeoutMs: 60000, concurrency: 2 });
    expect(JSON.stringify(redactConfig(c))).not.toContain('sk-secret');
  });

  it('parses the retry schedule with units and strips a trailing slash from PUBLIC_URL', () => {
    const d = dir();
    const c = loadConfig({ ...base(d), SEND_RETRY_SCHEDULE: '30s, 2m,1h', PUBLIC_URL: 'https://news.example.com/' }, d);
    expect(c.sendRetryScheduleMs).toEqual([30_000, 120_000, 3_600_000]);
    expect(c.publicUrl).toBe('https://news.example.com');
  });

  it('PUBLIC_URL follows PORT when unset; HOST defaults to every address; SIGNUP_ORIGINS become origins', () => {
    const d = dir();
    const rest = base(d);
    expect(loadConfig({ ...rest, PORT: '8080' }, d).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ ...rest }, d).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ ...rest, PORT: '8080', PUBLIC_URL: 'https://news.example.com' }, d).publicUrl).toBe('https://news.example.com');
    expect(loadConfig({ ...rest }, d).host).toBe('0.0.0.0');
    expect(loadConfig({ ...rest }, d).services).toEqual(['http', 'sender', 'scheduler']);
    expect(loadConfig({ ...rest, SERVICES: 'sender, sender' }, d).services).toEqual(['sender']);
    expect(loadConfig({ ...rest, HOST: '127.0.0.1' }, d).host).toBe('127.0.0.1');
    expect(loadConfig({ ...rest, SIGNUP_ORIGINS: 'https://www.example.com/, http://blog.example.org:8080' }, d).signupOrigins).toEqual(['https://www.example.com', 'http://blog.example.org:8080']);
  });

  it('refuses a localhost PUBLIC_URL in production', () => {
    const d = dir();
    expect(() => loadConfig({ ...base(d), NODE_ENV: 'production' }, d)).toThrow(/PUBLIC_URL/);
  });

  it('requires the three DKIM variables together', () => {
    const d = dir();
    expect(() => loadConfig({ ...base(d), DKIM_DOMAIN: 'example.com' }, d)).toThrow(/DKIM/);
  });

  it('redacts secrets when printed', () => {
    const d = dir();
    const c = loadConfig({ ...base(d), SMTP_URL: 'smtp://user:hunter2@mail.example.com:587' }, d);
    const printed = JSON.stringify(redactConfig(c));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain(c.secretKey);
    expect(printed).not.toContain(c.adminToken);
  });
});

describe('DATABASE_URL for PostgreSQL', () => {
  it('picks the postgres backend, keeps the URL and hides its password when printed', () => {
    const d = mkdtempSync(join(tmpdir(), 'nd-cfg-pg-'));
    const c = loadConfig({ DATA_DIR: d, DATABASE_URL: 'postgres://news:s3cret@db.internal:5432/news', DATABASE_POOL_SIZE: '4' }, d);
    expect(c.databaseKind).toBe('postgres');
    expect(c.databaseUrl).toBe('postgres://news:s3cret@db.internal:5432/news');
    expect(c.databasePath).toBe('');
    expect(c.databasePoolSize).toBe(4);
    expect(JSON.stringify(redactConfig(c))).not.toContain('s3cret');
  });
});
