// The console's own queries: each function is the store's, given a context.
import { facade } from '../../store.js';

export * from './store.js';

export const {
  subscriberTrend,
  subscriberDeliveries,
  testSendsOf,
  resendReach,
  subscriberStateByEmail,
  problemDeliveries,
  revokeSession,
  isSessionRevoked,
} = facade('console');
