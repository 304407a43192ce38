import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.js';

// A private Dovecot IMAP server for one test file: its own config, users and Maildirs in a temp folder, listening
// on a free loopback port (Debian's dovecot-imapd, which .ci/run installs). Absent on a laptop: `startDovecot`
// returns null and the test says it was skipped.

export interface Dovecot {
  port: number;
  user: string;
  pass: string;
  stop(): void;
}

const DOVECOT = '/usr/sbin/dovecot';

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT) && spawnSync('id', ['dovenull']).status === 0;
}

export async function startDovecot(): Promise<Dovecot | null> {
  if (!dovecotAvailable()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'nd-dovecot-'));
  // Dovecot's auth process runs as the dovecot user: it must reach the users file.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const uid = execFileSync('id', ['-u', 'dovecot']).toString().trim();
  const gid = execFileSync('id', ['-g', 'dovecot']).toString().trim();
  for (const d of ['run', 'state', 'home']) mkdirSync(join(dir, d), { recursive: true });
  execFileSync('chown', ['-R', `${uid}:${gid}`, join(dir, 'home')]);
  const user = 'bounces';
  const pass = 'imap-test-password';
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${pass}::::::\n`);
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
`,
  );
  // The daemon keeps no pipe of ours open (it would hold execFileSync until it exits).
  execFileSync(DOVECOT, ['-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  // Ready once it accepts a connection.
  const net = await import('node:net');
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    user,
    pass,
    stop: () => {
      spawnSync('doveadm', ['-c', join(dir, 'dovecot.conf'), 'stop'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
