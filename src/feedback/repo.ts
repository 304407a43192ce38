// Links, clicks and votes as tracking and the console call them: the store's, given a context.
import { facade } from '../store.js';

export * from './store.js';

export const { ensureLinks, getLink, recordClick, recordClicks, recordVote, articleFeedback, issueFeedback, feedbackRows, sourceWeights, setFeedbackWeight, subscriberSpans } = facade('feedback');
