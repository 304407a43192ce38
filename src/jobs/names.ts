/** The daily job's name in leases and job runs. */
export const DAILY_JOB = 'daily';
