import { describe, expect, it } from 'vitest';
import { toMailError } from '../../src/mail/smtp.js';

const err = (o: { responseCode?: number; code?: string; command?: string; response?: string; message?: string }) =>
  Object.assign(new Error(o.message ?? 'failed'), o);

describe('classifying SMTP failures by code and phase', () => {
  it('5xx for a recipient is permanent; 503 bad sequence is not', () => {
    expect(toMailError(err({ responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 no such user' })).permanent).toBe(true);
    expect(toMailError(err({ responseCode: 503, command: 'RCPT TO', response: '503 5.5.1 bad sequence' })).permanent).toBe(false);
  });

  it('4xx is temporary and carries the wait the server asked for', () => {
    const e = toMailError(err({ responseCode: 450, command: 'RCPT TO', response: '450 4.7.1 Greylisted, try again in 300 seconds' }));
    expect(e.permanent).toBe(false);
    expect(e.opts.connection).toBe(false);
    expect(e.opts.retryAfterMs).toBe(300_000);
  });

  it('535 is an authentication failure, never a bounce', () => {
    const e = toMailError(err({ responseCode: 535, code: 'EAUTH', command: 'AUTH PLAIN' }), 'connect');
    expect(e.opts.auth).toBe(true);
    expect(e.permanent).toBe(false);
  });

  it('a refused connection, a 421 greeting or a 454 to MAIL FROM is the relay\'s problem, not the recipient\'s', () => {
    expect(toMailError(err({ code: 'ECONNECTION', command: 'CONN', message: 'connect ECONNREFUSED' }), 'connect').opts.connection).toBe(true);
    expect(toMailError(err({ responseCode: 421, command: 'CONN' }), 'connect').opts.connection).toBe(true);
    const t = toMailError(err({ responseCode: 454, command: 'MAIL FROM', response: '454 4.7.0 Throttling: try again in 2 minutes' }));
    expect(t.opts.connection).toBe(true);
    expect(t.opts.retryAfterMs).toBe(120_000);
  });

  it('a lost connection: safe before the data, ambiguous after the final dot, and an answer to the dot is an answer', () => {
    const drop = () => err({ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' });
    expect(toMailError(drop(), 'data').opts.afterData).toBe(false);
    expect(toMailError(drop(), 'envelope').opts.afterData).toBe(false);
    expect(toMailError(drop(), 'dot').opts.afterData).toBe(true);
    const answered = toMailError(err({ responseCode: 451, command: 'DATA', response: '451 4.3.0 try later' }), 'dot');
    expect(answered.opts.afterData).toBe(false);
    expect(answered.permanent).toBe(false);
  });
});
