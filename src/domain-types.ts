// Statuses and value types of the domain, known to no database: the stores, the HTTP layer and the CLI all speak
// these, and each backend's schema checks its columns against them.

export const SUBSCRIBER_STATUSES = ['pending', 'confirmed', 'unsubscribed', 'bounced'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/** `uncertain`: a final state for a copy lost after the final dot a second time; it is never sent a third time. */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'bounced', 'skipped', 'uncertain'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ISSUE_STATUSES = ['draft', 'sending', 'sent'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

/** An issue's edition, and a reader's frequency: the daily issue, or the weekly one built from a week of dailies. */
export const EDITIONS = ['daily', 'weekly'] as const;
export type Edition = (typeof EDITIONS)[number];

/** TRACKING: `off` rewrites no link; `counts` keeps totals only; `subscriber` keeps who clicked and voted. */
export const TRACKING_MODES = ['off', 'counts', 'subscriber'] as const;
export type TrackingMode = (typeof TRACKING_MODES)[number];

export const CONSENT_EVENT_TYPES = [
  'signup',
  'confirmation_sent',
  'confirm',
  'unsubscribe',
  'import',
  'bounce',
  'erase',
  'admin_unsubscribe',
  'soft_bounce',
  'complaint',
  'preferences',
] as const;
export type ConsentEventType = (typeof CONSENT_EVENT_TYPES)[number];

/** Where a bounce or complaint report came in. */
export const REPORT_CHANNELS = ['smtp', 'imap', 'ses', 'postmark', 'mailgun', 'sendgrid'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

/**
 * What a report was found to be: a hard or soft bounce, a complaint, an unsubscribe by mail, a delivery notice
 * that changes nothing (delayed, delivered), or one that names no delivery with certainty (unmatched).
 */
export const REPORT_KINDS = ['hard', 'soft', 'complaint', 'unsubscribe', 'notice', 'unmatched'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
