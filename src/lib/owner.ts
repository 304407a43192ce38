// Who holds a claim or a lease: `host:pid:random`, so a restarted process can tell a holder that is provably gone
// (same host, its pid no longer alive) from one that may still be working elsewhere.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const HOST = hostname().replace(/[:\s]/g, '_') || 'localhost';

/** A fresh owner id for this process. */
export function newOwnerId(): string {
  return `${HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Whether the process behind an owner id is certainly dead: it ran on this host and its pid is not alive. Any
 * doubt (another host, an older id format, this very process, a pid we may not signal) answers false.
 */
export function ownerIsGone(owner: string): boolean {
  const m = /^(.*):(\d+):[0-9a-f]{8}$/.exec(owner);
  if (!m || m[1] !== HOST) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
