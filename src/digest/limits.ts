/** The longest subject line an issue gets (its own or one an operator sets), in characters. */
export const MAX_SUBJECT = 99;
