// Subscribers as the signup, import and console code call them: each function is the store's, given a context.
import { facade } from '../store.js';

export * from './store.js';

export const {
  findSubscriberById,
  findSubscriberByEmail,
  recordSignup,
  noteConfirmationMail,
  confirmSubscriber,
  unsubscribeSubscriber,
  listSubscribers,
  countSubscribersByStatus,
  listConsentEvents,
  setPreferences,
  importSubscriberBatch,
  iterateSubscribers,
  eraseSubscriber,
  replaySuppressions,
} = facade('subscribers');
