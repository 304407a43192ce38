/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { ConsoleEnv } from './guard.js';
import { ConsoleLayout, doc } from './layout.js';

// GET /admin/deliverability: the checks of `newsdesk doctor`, run when the page is opened.

const LABEL = { pass: 'pass', warn: 'warning', fail: 'fail' } as const;
const BADGE = { pass: 'ok', warn: 'warn', fail: 'bad' } as const;

export function registerDeliverabilityPage(admin: Hono<ConsoleEnv>, ctx: AppContext): void {
  admin.get('/deliverability', async (c) => {
    const page = c.get('page');
    const { runDoctor } = await import('../../deliverability/doctor.js');
    const checks = await runDoctor(ctx.config);
    const failed = checks.filter((x) => x.status === 'fail').length;
    return c.html(
      doc(
        <ConsoleLayout title="Deliverability" section="deliverability" page={page}>
          <div class="page-head">
            <div>
              <h1>Deliverability</h1>
              <p class="muted small">
                Whether receivers will trust mail from this installation: DNS records, the relay, and the one-click unsubscribe. The same checks as <span class="mono">newsdesk doctor</span>
                {ctx.config.dnsServers.length ? `, asking ${ctx.config.dnsServers.join(', ')}` : ''}.
              </p>
            </div>
            <span class={`badge ${failed ? 'bad' : 'ok'}`}>{failed ? `${failed} to fix` : 'nothing failing'}</span>
          </div>
          <section class="card">
            <ul class="checks">
              {checks.map((x) => (
                <li data-check={x.name}>
                  <div class="check-head">
                    <b>{x.name}</b>
                    <span class={`badge ${BADGE[x.status]}`}>{LABEL[x.status]}</span>
                  </div>
                  <p>{x.message}</p>
                </li>
              ))}
            </ul>
          </section>
        </ConsoleLayout>,
      ),
    );
  });
}
