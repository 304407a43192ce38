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
