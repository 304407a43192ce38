// The complaint-rate breaker's numbers (SPEC): light, so the sender can import them without the report parser.

/** An issue pauses when complaints pass this share of its sent copies… */
export const COMPLAINT_RATE = 0.003;
/** …counted once it has at least this many. */
export const COMPLAINT_MIN_SENT = 1000;
