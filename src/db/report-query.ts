// The filter of a report listing, the same SQL on both backends (each turns `?` into its own placeholders).

export function reportWhere(q: { subscriberId?: number; issueId?: number }): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.subscriberId !== undefined) {
    where.push('subscriber_id = ?');
    args.push(q.subscriberId);
  }
  if (q.issueId !== undefined) {
    where.push('issue_id = ?');
    args.push(q.issueId);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

export type ReportCounts = { hard: number; soft: number; complaints: number };

/** Per-issue counts from (issue, kind, n) rows; every asked issue has an entry. */
export function foldReportCounts(issueIds: number[], rows: { issueId: number | string; kind: string; n: number | string }[]): Map<number, ReportCounts> {
  const out = new Map<number, ReportCounts>();
  for (const id of issueIds) out.set(id, { hard: 0, soft: 0, complaints: 0 });
  for (const row of rows) {
    const c = out.get(Number(row.issueId));
    if (!c) continue;
    if (row.kind === 'hard') c.hard = Number(row.n);
    else if (row.kind === 'soft') c.soft = Number(row.n);
    else if (row.kind === 'complaint') c.complaints = Number(row.n);
  }
  return out;
}

/** What a soft bounce of `issueId` does to a subscriber's count of issues in a row (the same on both backends). */
export function softBounceStep(
  sub: { streak: number; lastIssue: number | null },
  issueId: number,
  acceptedBetween: boolean,
  limit: number,
): { counted: false; action: string } | { counted: true; streak: number; bounce: boolean; action: string } {
  if (sub.lastIssue === issueId) return { counted: false, action: 'nothing: a soft bounce of this issue was counted already' };
  // In a row: an accepted copy of an issue between the last counted one and this one starts the count again.
  const streak = (acceptedBetween ? 0 : sub.streak) + 1;
  const bounce = streak >= limit;
  return { counted: true, streak, bounce, action: `${bounce ? 'bounced' : 'counted'}: ${streak} of ${limit} issues in a row` };
}

/** The pause reason when an issue's complaints pass the rate (from `minSent` sent copies), else null. */
export function complaintPause(c: { complaints: number; sent: number; status: string; pausedReason: string | null }, rate: number, minSent: number): string | null {
  if (c.sent < minSent || c.complaints / c.sent <= rate || c.status !== 'sending' || c.pausedReason?.startsWith('complaints:')) return null;
  return `complaints: ${c.complaints} of ${c.sent} sent copies (${((c.complaints / c.sent) * 100).toFixed(2)}%, over ${(rate * 100).toFixed(1)}%); sending paused for the operator`;
}
