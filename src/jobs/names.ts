/** The daily job's name in leases and job runs. */
export const DAILY_JOB = 'daily';
/** The weekly edition's job: assemble the week's best and send it to weekly readers. */
export const WEEKLY_JOB = 'weekly';
