import { describe, expect, it } from 'vitest';
import { ConfirmEmail } from '../../emails/ConfirmEmail.js';
import { renderEmail } from '../../emails/render.js';
import { WelcomeEmail } from '../../emails/WelcomeEmail.js';

describe('transactional mail templates', () => {
  it('the confirmation mail has the confirm link in both parts and the postal address', async () => {
    const p = { ...ConfirmEmail.PreviewProps, confirmUrl: 'https://n.example/confirm/c.1.abc.def' };
    const { html, text } = await renderEmail(ConfirmEmail(p));
    expect(html).toContain('href="https://n.example/confirm/c.1.abc.def"');
    expect(text).toContain('https://n.example/confirm/c.1.abc.def');
    expect(html).toContain('lang="en"');
    expect(text).toContain(p.postalAddress);
  });

  it('the welcome mail links the archive and the unsubscribe page', async () => {
    const p = { ...WelcomeEmail.PreviewProps, unsubscribeUrl: 'https://n.example/unsubscribe/u.1.xyz', archiveUrl: 'https://n.example/issues' };
    const { html, text } = await renderEmail(WelcomeEmail(p));
    expect(html).toContain('href="https://n.example/unsubscribe/u.1.xyz"');
    expect(html).toContain('href="https://n.example/issues"');
    expect(text).toContain('https://n.example/unsubscribe/u.1.xyz');
    expect(text).toContain('https://n.example/issues');
  });

  it('escapes markup in props', async () => {
    const { html } = await renderEmail(ConfirmEmail({ ...ConfirmEmail.PreviewProps, newsletterName: '<script>alert(1)</script>' }));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
  });
});
