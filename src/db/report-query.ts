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
